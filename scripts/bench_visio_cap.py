#!/usr/bin/env python3
"""The visio under a bandwidth cap: how fast the room's engine adapts, against a Chromium ↔
Chromium call through the same capped link in the same run.

Two hosts (network namespaces on a bridge, as in the LAN tests): the structure's server
(the daemon, its room engine sending a detailed moving picture, or the baseline's first
Chromium) and the specialist (headless Chromium with its fake camera). The link between
them runs free for 10 s, is capped (tc tbf, both ways) for 40 s, then runs free for 25 s.
Sampled every half second on the specialist's page: the room's picture decoded (frames a
second, height) and the sound concealed (the share of samples the decoder had to invent).

Prints for each call: the seconds without video after the cap (< 5 fps), when the picture
came back (10 fps or more on average over 2 s, after the cap's first second), the sound concealed after the cap's first 5 s, and the seconds
from the cap's end to the full picture at 25 fps or more; then the ratios.

Usage: sudo scripts/bench_visio_cap.py [--cap-kbit 150] [--runs N] [--engine-only] [--timeline]
Needs root (namespaces, tc), chromium and chromedriver (scripts/setup.sh --tests).
"""
import argparse
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("GUICHET_BINARY", str(ROOT / ".build/release/guichet"))
sys.path.insert(0, str(ROOT / "Tests/Integration"))

from selenium.webdriver.common.by import By  # noqa: E402

from conftest import Daemon  # noqa: E402
from lan import SUBNET, Lan, _ip  # noqa: E402
from test_lan import remote_chromium  # noqa: E402
from test_visio import FAKE_DEVICES, book_visio, instant, link_token, restart_at  # noqa: E402
from waiting import wait_for  # noqa: E402

FREE, CAPPED, AFTER = 10, 40, 25
SERVER = f"{SUBNET}.1"
CAMERA = tuple(f if not f.startswith("--use-fake-device") else f + "=fps=30" for f in FAKE_DEVICES)

# Reads the call's receiving side in the page: `window.benchPeer` is the RTCPeerConnection.
SAMPLE = """
const done = arguments[0];
window.benchPeer.getStats().then((stats) => {
  const out = { at: Date.now() };
  stats.forEach((s) => {
    if (s.type !== 'inbound-rtp') return;
    if (s.kind === 'video') {
      out.frames = s.framesDecoded || 0; out.height = s.frameHeight || 0; out.keys = s.keyFramesDecoded || 0;
      out.plis = s.pliCount || 0; out.lost = s.packetsLost || 0; out.nacks = s.nackCount || 0;
    }
    if (s.kind === 'audio') { out.concealed = s.concealedSamples || 0; out.samples = s.totalSamplesReceived || 0; }
  });
  done(out);
});
"""

BASELINE_PAGE = """<!doctype html><html><body><video id="remote" autoplay muted playsinline></video><script>
let pc;
const gathered = () => new Promise((done) => {
  if (pc.iceGatheringState === 'complete') return done();
  pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && done();
});
window.prepare = async (width, height) => {
  const camera = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width, height } });
  pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  window.benchPeer = pc;
  camera.getTracks().forEach((t) => pc.addTrack(t, camera));
  const vp8 = RTCRtpReceiver.getCapabilities('video').codecs.filter((c) => c.mimeType === 'video/VP8');
  pc.getTransceivers().forEach((t) => t.setCodecPreferences(t.receiver.track.kind === 'video' ? vp8 : RTCRtpReceiver.getCapabilities('audio').codecs));
  pc.ontrack = (e) => { document.getElementById('remote').srcObject = e.streams[0]; };
};
window.offer = async () => { await pc.setLocalDescription(await pc.createOffer()); await gathered(); return pc.localDescription.sdp; };
window.answer = async (sdp) => {
  await pc.setRemoteDescription({ type: 'offer', sdp });
  await pc.setLocalDescription(await pc.createAnswer()); await gathered(); return pc.localDescription.sdp;
};
window.accept = async (sdp) => { await pc.setRemoteDescription({ type: 'answer', sdp }); };
</script></body></html>"""


def cap(lan, host, kbit):
    """Caps the host's link both ways (its own side, and its port on the switch); None lifts it."""
    for ns, dev in ((host.ns, "eth0"), (lan.switch, host.port_name)):
        subprocess.run(["ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", dev, "root"], capture_output=True)
        if kbit:
            # A queue of ~300 ms at the cap, as a small office's ADSL uplink has.
            burst = max(1600, kbit * 1000 // 8 // 10)
            subprocess.run(["ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", dev, "root", "tbf", "rate", f"{kbit}kbit",
                            "burst", str(burst), "latency", "300ms"], check=True)


def timeline(lan, spec, driver, kbit):
    """Samples the page through the free, capped and freed phases; returns the samples."""
    samples, phases = [], []
    start = time.time()
    for phase, seconds, limit in (("free", FREE, None), ("capped", CAPPED, kbit), ("freed", AFTER, None)):
        cap(lan, spec, limit)
        phases.append((phase, time.time() - start))
        end = time.time() + seconds
        while time.time() < end:
            sample = driver.execute_async_script(SAMPLE)
            sample["t"] = time.time() - start
            sample["phase"] = phase
            samples.append(sample)
            time.sleep(0.5)
    cap(lan, spec, None)
    return samples


def summarise(samples, full_height):
    """The figures of one call's timeline."""
    rows = []
    for a, b in zip(samples, samples[1:]):
        dt = (b["at"] - a["at"]) / 1000
        fps = (b.get("frames", 0) - a.get("frames", 0)) / dt if dt > 0 else 0
        rows.append({"t": b["t"], "phase": b["phase"], "fps": fps, "height": b.get("height", 0),
                     "concealed": b.get("concealed", 0) - a.get("concealed", 0), "samples": b.get("samples", 0) - a.get("samples", 0),
                     "keys": b.get("keys", 0) - a.get("keys", 0), "plis": b.get("plis", 0) - a.get("plis", 0),
                     "lost": b.get("lost", 0) - a.get("lost", 0), "nacks": b.get("nacks", 0) - a.get("nacks", 0)})
    capped = [r for r in rows if r["phase"] == "capped"]
    cap_start = capped[0]["t"] - 0.5
    without = sum(0.5 for r in capped if r["fps"] < 5)
    def steady(r):  # 10 fps or more on average over the 2 s from r
        window = [x["fps"] for x in capped if r["t"] <= x["t"] <= r["t"] + 2]
        return len(window) >= 3 and sum(window) / len(window) >= 10
    # After the cap's first second (the picture still in flight then is not a recovery).
    resumed = next((r for r in capped if r["t"] - cap_start > 1 and steady(r)), None)
    late = [r for r in capped if r["t"] - cap_start >= 5]
    concealed = sum(r["concealed"] for r in late) / max(1, sum(r["samples"] for r in late))
    freed = [r for r in rows if r["phase"] == "freed"]
    freed_start = freed[0]["t"] - 0.5 if freed else 0
    back = next((r["t"] - freed_start for r in freed if r["height"] >= full_height and r["fps"] >= 25), None)
    return {
        "no_video_s": without, "video_from_s": None if resumed is None else round(resumed["t"] - cap_start, 1),
        "height_capped": max((r["height"] for r in late), default=0), "concealed": concealed,
        "full_back_s": None if back is None else round(back, 1), "rows": rows,
    }


def room(server, d):
    """The room's screen state, asked from the server's own host (the room is on it)."""
    out = server.run(["curl", "-s", f"http://127.0.0.1:{d.port}/salle/visio/etat"], capture_output=True, text=True).stdout
    return json.loads(out or "{}").get("call") or {}


def engine_call(lan, server, spec, kbit, folder, insecure):
    d = Daemon(folder / "server", env={**os.environ, "GUICHET_MEDIA_TRACE": "1"})
    d.host_command, d.host = server.command, SERVER
    d.args = ["--host", "0.0.0.0", "--visio-media", "test", "--visio-test-pattern", "zone-plate"]
    d.start()
    driver = proc = None
    try:
        booking = book_visio(d)
        token = link_token(d, booking)
        restart_at(d, instant(booking["start"]) - 120)
        driver, proc = remote_chromium(spec, *CAMERA, f"--unsafely-treat-insecure-origin-as-secure={insecure(d.port)}")
        driver.get(d.url(f"/visio/{token}"))
        wait_for(lambda: driver.execute_script("return !document.getElementById('rejoindre').disabled"), 30, what="the devices check")
        driver.find_element(By.ID, "rejoindre").click()
        wait_for(lambda: room(server, d).get("waiting"), 15, what="the waiting room")
        d.form_post(f"/console/visio/{booking['id']}/admit", {"_csrf": d.csrf()})
        wait_for(lambda: driver.execute_script("return !!window.visioPeer"), 20, what="the call")
        driver.execute_script("window.benchPeer = window.visioPeer")
        wait_for(lambda: driver.execute_async_script(SAMPLE).get("frames", 0) > 60, 30, what="frames in Chromium")
        return timeline(lan, spec, driver, kbit)
    finally:
        if driver:
            driver.quit()
        if proc:
            proc.kill()
        d.stop()
        if os.environ.get("BENCH_TRACE"):
            print(d.log()[-40000:], file=sys.stderr)


def baseline_call(lan, server, spec, kbit, folder):
    page = folder / "baseline"
    page.mkdir()
    (page / "index.html").write_text(BASELINE_PAGE)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(page), **k)

        def log_message(self, *a):
            pass

    web = http.server.ThreadingHTTPServer(("0.0.0.0", 0), Quiet)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    origin = f"http://{SUBNET}.254:{web.server_port}"
    caller = callee = None
    procs = []
    try:
        caller, p1 = remote_chromium(server, *CAMERA, f"--unsafely-treat-insecure-origin-as-secure={origin}")
        callee, p2 = remote_chromium(spec, *CAMERA, f"--unsafely-treat-insecure-origin-as-secure={origin}")
        procs = [p1, p2]
        for side in (caller, callee):
            side.get(origin + "/index.html")
            side.execute_async_script("const done = arguments[0]; window.prepare(640, 480).then(done)")
        offer = caller.execute_async_script("const done = arguments[0]; window.offer().then(done)")
        answer = callee.execute_async_script("const done = arguments[1]; window.answer(arguments[0]).then(done)", offer)
        caller.execute_async_script("const done = arguments[1]; window.accept(arguments[0]).then(done)", answer)
        wait_for(lambda: callee.execute_async_script(SAMPLE).get("frames", 0) > 60, 30, what="frames in the baseline")
        return timeline(lan, spec, callee, kbit)
    finally:
        for side in (caller, callee):
            if side:
                side.quit()
        for p in procs:
            p.kill()
        web.shutdown()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cap-kbit", type=int, default=150)
    parser.add_argument("--runs", type=int, default=1, help="calls per side")
    parser.add_argument("--engine-only", action="store_true", help="no Chromium ↔ Chromium baseline (tuning the engine)")
    parser.add_argument("--timeline", action="store_true", help="print every sample")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("needs root: network namespaces and tc")
    folder = Path(tempfile.mkdtemp(prefix="guichet-bench-cap-"))
    lan = Lan()
    results = []
    try:
        server, spec = lan.add("srv", 1), lan.add("spec", 30)
        for run in range(args.runs):
            calls = folder / f"run-{run}"
            calls.mkdir()
            results.append(("room engine → Chromium", summarise(engine_call(lan, server, spec, args.cap_kbit, calls, lambda port: f"http://{SERVER}:{port}"), 480)))
            if not args.engine_only:
                results.append(("Chromium → Chromium", summarise(baseline_call(lan, server, spec, args.cap_kbit, calls), 480)))
    finally:
        lan.close()
    print(f"Under a {args.cap_kbit} kbit/s cap (both ways) for {CAPPED} s, after {FREE} s free; freed for {AFTER} s. 640×480, VP8 + Opus.")
    print(f"{'call':26} {'no video':>9} {'video from':>11} {'height':>7} {'concealed':>10} {'full back':>10}")
    for name, r in results:
        video_from = "never" if r["video_from_s"] is None else f"{r['video_from_s']} s"
        back = "never" if r["full_back_s"] is None else f"{r['full_back_s']} s"
        print(f"{name:26} {r['no_video_s']:>7.1f} s {video_from:>11} {r['height_capped']:>7} {r['concealed'] * 100:>9.1f} % {back:>10}")
    for (_, engine), (_, base) in zip(results[::2], results[1::2]) if not args.engine_only else ():
        if engine["video_from_s"] is not None and base["video_from_s"]:
            print(f"video back under the cap: {engine['video_from_s'] / base['video_from_s']:.2f}× Chromium's")
        if engine["full_back_s"] is not None and base["full_back_s"]:
            print(f"full picture after the cap: {engine['full_back_s'] / base['full_back_s']:.2f}× Chromium's")
    if args.timeline:
        for name, r in results:
            print(f"\n{name}")
            for row in r["rows"]:
                print(f"  {row['t']:5.1f} s {row['phase']:7} {row['fps']:5.1f} fps {row['height']:4} px "
                      f"concealed {row['concealed']:6}/{row['samples']:6} keys {row['keys']} plis {row['plis']} nacks {row['nacks']} lost {row['lost']}")


if __name__ == "__main__":
    main()
