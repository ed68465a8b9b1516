"""Statistics writes: rollup rebuilds, gate counts and annual inputs."""
