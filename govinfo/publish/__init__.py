"""Model → pages: the official tables (:mod:`.tables`), charts, the report document and the
papermill/nbconvert pipeline that runs the template notebooks (``notebooks/``, ``templates/``),
the kernels it runs them in (:mod:`.kernels`, :mod:`.forkserver`, :mod:`.ipc`), the region
summaries and the site's index and internal pages.

Publishing imports the ground floor and :mod:`govinfo.params`, never the batch, the editor,
the importer or the CLI. :mod:`.display` gives a report its Jupyter views; ``import govinfo``
registers them. Everything in this folder (sources, templates, notebooks) is hashed into
the batch's cache key (:func:`govinfo.batch.manifest.library_digest`).
"""
