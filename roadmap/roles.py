"""The three roles, as Django groups. A migration creates them; seed_demo assigns them."""

PRODUCT_MANAGER = "Product manager"
TEAM_LEAD = "Team lead"
ADMIN = "Admin"
ROLES = [PRODUCT_MANAGER, TEAM_LEAD, ADMIN]
