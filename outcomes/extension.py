"""What outcomes adds to the roadmap's pages, registered from OutcomesConfig.ready().

roadmap never imports this app: it calls the hooks of roadmap.extensions.RoadmapExtension,
which this class fills in. Each hook runs a fixed number of queries.
"""

from roadmap.extensions import RoadmapExtension


class OutcomesExtension(RoadmapExtension):
    pass
