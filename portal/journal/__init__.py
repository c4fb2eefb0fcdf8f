"""The journal: an append-only, hash-chained trail of every access and change.

Entries carry who, when, acting for which organisation, from which address, what was
done and to which object (by type, id and reference). They never carry case contents,
so the trail can outlive the destruction of the dossiers it describes.
"""
