# Shared texts
emergency-numbers =
    112 — single emergency number (102 police, 103 ambulance from mobiles)
    8-800-2000-122 or 124 — children's helpline, also for parents, free and anonymous
    123 — Investigative Committee line "Child in danger" (not available in every region)
