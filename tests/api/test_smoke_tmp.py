from tests.api.conftest import NEW_DOSSIER


def test_smoke(api_a):
    r = api_a.post("/api/v1/dossiers", NEW_DOSSIER)
    print(r.status_code, r.content[:500], dict(r.headers))
    assert r.status_code == 201
    r = api_a.get("/api/v1/dossiers")
    print(r.status_code, r.content[:300])
    r = api_a.get("/api/v1/openapi.json")
    assert r.status_code == 200
