"""site_builder: static transparency websites for Chinese towns and villages.

The build is a pipeline, one module per stage:

    uptodate.look           inputs, by stat      -> nothing to do? (the output looked at meanwhile)
    config.load_config      site.yaml            -> SiteConfig
    reader.read_entries     content/**/*.md      -> [Entry]   (validated: ledgers, privacy, attachments)
    model.build_site        SiteConfig + entries -> Site      (units, categories, archives, URLs)
    publish.render_pages    Site + theme         -> pages     (render.Renderer, in parallel, changed ones only)
    writer.OutputWriter     pages + files        -> public/   (atomic, only changed bytes, stale files removed)
    extras                  Site                 -> search/ (search, postings), feeds, data/ (exports)

Accountability, called by model.build_site on the published entries and `today`:
workdays (working-day calendar), notices (公示 status, names withheld after it),
accountability (cadence, due dates, missing periods, 20-working-day rule, stale units,
annual counts), finance (ledger chain, overview chart), history (one `git log`), board
(bulletin-board sheets, QR codes); accountability_pages lays out their pages, exports
writes data/*.json|csv and ledger CSVs, supervision_check and archive back the
`check --supervision` and `archive` commands.

`build.build` runs them in order (`build.load_site` the validating stages alone), with
the build cache of `cache`; `cli` only parses arguments and calls it.
"""

__version__ = "0.1.0"
