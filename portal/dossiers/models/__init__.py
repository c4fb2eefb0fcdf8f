from portal.dossiers.models.dossier import ControlKind, Dossier, ReferenceSequence
from portal.dossiers.models.sharing import (
    DossierGroupObjectPermission,
    DossierShare,
    DossierUserObjectPermission,
    Handover,
)

__all__ = [
    "ControlKind",
    "Dossier",
    "DossierGroupObjectPermission",
    "DossierShare",
    "DossierUserObjectPermission",
    "Handover",
    "ReferenceSequence",
]
