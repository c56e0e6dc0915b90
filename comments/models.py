# Comments and flags arrive with the discussion feature; the app exists now so its place is fixed.
