"""Pages people print and hand over, as self-contained HTML (needs the ``reports`` extra).

* :func:`home_report`: the registered manager's review of a home's missing
  episodes over a period (with ``publishable=True``, safe to share: every
  count under disclosure control);
* :func:`episode_report`: one episode's formulation, for a strategy meeting;
* :func:`handover_report`: the page staff send to police when they report a
  child missing: the pre-completed profile and the episode's details so far,
  on two A4 pages.

Each returns the HTML page as a string, so an embedding system can serve it
or save it; ``missingcare report home|episode|handover`` writes it from the
command line. A page makes no external request (its CSS is inline, its charts
inline SVG), prints on A4 (print it to PDF from any browser), meets WCAG 2.1
AA contrast, and escapes every value from the record. Its templates are
Jinja2 files shipped with the package; pass ``templates=`` (a directory or a
Jinja2 loader) to override any of them.
"""

from __future__ import annotations

from missingcare.reports._render import TemplateSource
from missingcare.reports.episode import episode_report
from missingcare.reports.handover import ProfileDetails, handover_report
from missingcare.reports.home import home_report

__all__ = ["ProfileDetails", "TemplateSource", "episode_report", "handover_report", "home_report"]
