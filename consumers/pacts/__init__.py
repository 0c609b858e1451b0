"""The consumers' pacts: one module per consumer (per pair for web-frontend), each interaction
exercising that consumer's own client.

- `support`: matchers, provider-state values, the pact writer and the WebSocket channel mock
- `web_frontend`: `auth` (auth-service v2), `backend` (backend-service v2), `realtime` (the channel)
- `mobile_app_legacy`: auth-service v1 and backend-service v1
- `backend_service`: auth-service (client credentials, JWKS, introspection)
- `websocket_service`: auth-service and backend-service's internal API
- `build`: runs them all and writes `contracts/pacts/<consumer>-<provider>.json`
"""
