"""A page's status in a batch, named once: the words the manifest records and the CLI prints,
and the Chinese labels the summary and the internal page show.

``published``: the page is out, no error finding. ``invalid``: an error finding (the page,
if any, is a stamped draft, ``--allow-invalid``). ``failed``: no page (the render failed).
"""

from __future__ import annotations

PUBLISHED, INVALID, FAILED = "published", "invalid", "failed"
STATUS_LABELS = {PUBLISHED: "已发布", INVALID: "未通过校验", FAILED: "生成失败"}
