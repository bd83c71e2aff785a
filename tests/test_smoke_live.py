import json
import urllib.request

from tests.support.live_server import LiveServer


def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


def test_live_server_serves_upstream_usage(live_server: LiveServer):
    doc = get(live_server.url + "/usage")
    assert doc["meta"]["state"] == "live"
    assert doc["five_hour"]["utilization"] == 15.0
    assert doc["seven_day_fable"]["utilization"] == 81.0
