"""site_builder: static transparency websites for Chinese towns and villages.

The build is a pipeline, one module per stage:

    config.load_config      site.yaml            -> SiteConfig
    reader.read_entries     content/**/*.md      -> [Entry]   (validated: ledgers, privacy, attachments)
    model.build_site        SiteConfig + entries -> Site      (units, categories, archives, URLs)
    render.render_pages     Site + theme         -> [(path, bytes)]
    writer.write_output     pages + files        -> public/   (atomic, only changed bytes)
    feeds                   Site                 -> Atom feeds, sitemap.xml, robots.txt

`build.build_site_dir` runs them in order; `cli` only parses arguments and calls it.
"""

__version__ = "0.1.0"
