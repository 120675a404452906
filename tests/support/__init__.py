"""What the test suites share: real local servers, service checks, factories, and helpers that drive the
platform through its API (rest, renders, workflows) or its services (publishing)."""
