"""Renders: bundle a session's React app with esbuild from its files, store the artifact, serve the preview."""
