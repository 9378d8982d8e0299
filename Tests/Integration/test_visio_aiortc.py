"""A second WebRTC stack calls the room: aiortc, unmodified, as a specialist's client. It offers
only ECDSA DTLS suites and checks the room's fingerprint, so it proves the room's own P-256
certificate and the fingerprint its offer carries (GStreamer 1.22's own certificate is RSA)."""
import asyncio
import json
import threading

import websocket
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaBlackhole  # noqa: F401  (part of the unmodified package)
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
from aiortc.sdp import candidate_from_sdp

from test_visio import room, visio  # noqa: F401  (the fixture)
from waiting import wait_for


class Signalling:
    """The call's WebSocket, read on a thread into an asyncio queue."""

    def __init__(self, url, loop):
        self.ws = websocket.create_connection(url, timeout=15)
        self.queue = asyncio.Queue()
        self.loop = loop
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            while True:
                message = json.loads(self.ws.recv() or "null")
                if message is None:
                    break
                self.loop.call_soon_threadsafe(self.queue.put_nowait, message)
        except (websocket.WebSocketException, OSError, ValueError):
            self.loop.call_soon_threadsafe(self.queue.put_nowait, None)

    async def next(self, *types):
        while True:
            message = await asyncio.wait_for(self.queue.get(), 20)
            assert message is not None, "the signalling closed"
            if message["type"] in types:
                return message

    def send(self, message):
        self.ws.send(json.dumps(message))


async def counted(track, counter):
    while True:
        await track.recv()
        counter[track.kind] = counter.get(track.kind, 0) + 1


def test_an_unmodified_aiortc_client_calls_the_room(visio):
    d, booking, token = visio

    async def call():
        signalling = Signalling(d.url(f"/visio/{token}/ws").replace("http", "ws", 1), asyncio.get_running_loop())
        signalling.send({"type": "join", "version": 1})
        assert (await signalling.next("waiting"))["type"] == "waiting"
        status, _ = await asyncio.to_thread(d.form_post, f"/console/visio/{booking['id']}/admit", {"_csrf": d.csrf()})
        assert status in (302, 303)
        await signalling.next("admitted")
        offer = await signalling.next("offer")
        assert "a=fingerprint:sha-256 " in offer["sdp"]

        pc = RTCPeerConnection()
        received, readers = {}, []
        pc.on("track", lambda track: readers.append(asyncio.ensure_future(counted(track, received))))
        await pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
        pc.addTrack(VideoStreamTrack())
        pc.addTrack(AudioStreamTrack())
        await pc.setLocalDescription(await pc.createAnswer())
        signalling.send({"type": "answer", "sdp": pc.localDescription.sdp})

        async def candidates():
            while True:
                message = await signalling.next("candidate")
                if message["candidate"]:
                    candidate = candidate_from_sdp(message["candidate"].split(":", 1)[1])
                    candidate.sdpMLineIndex = message["mline"]
                    await pc.addIceCandidate(candidate)

        trickle = asyncio.ensure_future(candidates())
        try:
            for _ in range(300):
                if received.get("video", 0) > 30 and received.get("audio", 0) > 30 and pc.connectionState == "connected":
                    break
                await asyncio.sleep(0.1)
            assert pc.connectionState == "connected", pc.connectionState
            assert received.get("video", 0) > 30 and received.get("audio", 0) > 30, received
            # The room decodes aiortc's picture and sound too.
            await asyncio.to_thread(wait_for, lambda: room(d).get("videoFrames", 0) > 30 and room(d).get("audioBuffers", 0) > 10, 20,
                                    what="aiortc's frames at the room's engine")
            dtls = pc.getTransceivers()[0].receiver.transport
            assert dtls.state == "connected"
        finally:
            trickle.cancel()
            for reader in readers:
                reader.cancel()
            signalling.send({"type": "leave"})
            await pc.close()
            signalling.ws.close()

    asyncio.run(call())
