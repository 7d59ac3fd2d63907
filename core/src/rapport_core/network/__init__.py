"""The shape of a firm's network: the partner matrix, the complementarity map of professions
and specialties, network gaps, and partner matching."""
