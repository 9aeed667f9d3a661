def test_smoke(client, world, subscribe):
    sub, path = subscribe(world.coordinator)
    r = client.get(path)
    print(r.status_code)
    print(r.data.decode()[-3000:])
