"""Views: the report and the reference tables as terminal text, Markdown, HTML or JSON.

:mod:`~hipthrust_cli.views.blocks` decides what a report shows, once;
:mod:`~hipthrust_cli.views.formats` registers every output format, for ``--format`` and
``-o`` alike; one module per format draws. Nothing here decides content.
"""
