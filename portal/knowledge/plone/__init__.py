"""Import a Plone site's export (collective.exportimport's JSON) into the knowledge section.

``reader`` reads the export as the add-on writes it, ``richtext`` turns Plone's HTML into
StreamField blocks with links rewritten, ``access`` turns local roles into audiences, and
``importer`` creates or updates the pages, documents, images and redirects. The command is
``manage.py import_plone``.
"""
