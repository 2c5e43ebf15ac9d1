"""Tasks and their samples: task files, loaders, the embedded sample generator, prompts."""
