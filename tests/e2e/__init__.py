"""End-to-end tests: the real ``partnerbot serve`` process, signed Slack requests, a Web API stand-in."""
