from portal.dossiers.models.changes import Change
from portal.dossiers.models.dossier import ControlKind, Dossier, ReferenceSequence
from portal.dossiers.models.sharing import (
    DossierGroupObjectPermission,
    DossierShare,
    DossierUserObjectPermission,
    Handover,
)
from portal.dossiers.models.tags import DossierTag, TaggedDossier

__all__ = [
    "Change",
    "ControlKind",
    "Dossier",
    "DossierGroupObjectPermission",
    "DossierShare",
    "DossierTag",
    "DossierUserObjectPermission",
    "Handover",
    "ReferenceSequence",
    "TaggedDossier",
]
