"""``govinfo batch``: a county's pages rendered incrementally and in parallel (:mod:`.runner`),
in worker processes or on a Dask cluster (:mod:`.workers`), cached through a manifest
(:mod:`.manifest`); single pages recorded into a batch's site (:mod:`.record`).

Above :mod:`govinfo.publish`; imported by the CLI and the editor, never by publishing.
"""
