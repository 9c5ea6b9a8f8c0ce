"""Take a screenshot of a page of the running demo (make demo) as a logged-in user.

Usage: python3 scripts/screenshot.py URL_PATH OUTPUT.png [--login admin --password admin | --anonymous]
                                     [--width 1440 --height 900] [--wait 6] [--js CODE]
--js runs JavaScript in the page once it has loaded (e.g. to open a dialog), then waits again.
Logs in through Odoo's JSON-RPC, gives the session cookie to headless Chromium and drives it with
the DevTools protocol (websocket-client, as Odoo's own browser tests do).
"""

import argparse
import base64
import json
import shutil
import subprocess
import tempfile
import time

import requests
import websocket


def login(base_url, db, user, password):
    session = requests.Session()
    response = session.post(
        f"{base_url}/web/session/authenticate",
        json={"jsonrpc": "2.0", "params": {"db": db, "login": user, "password": password}},
        timeout=30,
    )
    response.raise_for_status()
    if response.json().get("error"):
        raise SystemExit(f"login failed: {response.json()['error']}")
    return session.cookies["session_id"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("output")
    parser.add_argument("--base-url", default="http://localhost:8069")
    parser.add_argument("--db", default="cobranza_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--wait", type=float, default=6)
    parser.add_argument("--js", default="")
    parser.add_argument("--anonymous", action="store_true", help="as a visitor: no login (a portal link)")
    args = parser.parse_args()

    session_id = None if args.anonymous else login(args.base_url, args.db, args.login, args.password)
    chrome = shutil.which("chromium") or shutil.which("google-chrome")
    profile = tempfile.mkdtemp()
    port = 9333
    proc = subprocess.Popen(
        [
            chrome,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--remote-debugging-port={port}",
            "--remote-allow-origins=*",
            f"--window-size={args.width},{args.height}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _attempt in range(50):
            try:
                targets = requests.get(f"http://127.0.0.1:{port}/json", timeout=2).json()
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        page = next(target for target in targets if target["type"] == "page")
        ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        counter = iter(range(1, 1000))

        def call(method, **params):
            message_id = next(counter)
            ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
            while True:
                message = json.loads(ws.recv())
                if message.get("id") == message_id:
                    return message.get("result", {})

        host = args.base_url.split("://", 1)[1].split(":")[0]
        call("Network.enable")
        if session_id:
            call("Network.setCookie", name="session_id", value=session_id, domain=host, path="/")
        call(
            "Emulation.setDeviceMetricsOverride",
            width=args.width,
            height=args.height,
            deviceScaleFactor=1,
            mobile=False,
        )
        call("Page.navigate", url=args.base_url + args.path)
        time.sleep(args.wait)
        if args.js:
            result = call("Runtime.evaluate", expression=args.js, awaitPromise=True, returnByValue=True)
            print("js:", result.get("result", {}).get("value"), result.get("exceptionDetails", ""))
            time.sleep(args.wait)
        shot = call("Page.captureScreenshot", format="png")
        with open(args.output, "wb") as output:
            output.write(base64.b64decode(shot["data"]))
        print(f"saved {args.output}")
    finally:
        proc.terminate()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
