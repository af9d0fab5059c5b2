# Shared texts
emergency-numbers =
    112 — emergency services (from mobiles: 102 police, 103 ambulance)
    8-800-2000-122 or 124 — helpline for children and parents, free and anonymous
    123 — Investigative Committee line "Child in danger" (not in every region)
