"""Domain records shared by plugins and the core: the unified API's vocabulary."""
