import Foundation
import Media
import Synchronization
import Testing

/// Two real webrtcbin pipelines call each other on loopback: the room (offerer) and a second
/// peer standing in for the specialist, both with GStreamer test sources (no camera here).
@Suite(.serialized) struct LoopbackCallTests {
    /// What the two peers' handlers share (the peers themselves, and what happened).
    final class Shared: Sendable {
        /// Weak: the peers' handlers hold this, so strong references would keep the peers (and
        /// their GStreamer threads) alive until the test process exits.
        struct Peers {
            weak var room: MediaPeer?
            weak var peer: MediaPeer?
        }
        let peers = Mutex<Peers>(Peers())
        let log = Mutex<[String]>([])
        let chat = Mutex<[String]>([])
    }

    final class Call: Sendable {
        let room: MediaPeer
        let peer: MediaPeer
        let shared = Shared()

        static func settings(loopback: Bool = true) -> MediaSettings {
            var settings = MediaSettings()
            settings.allowLoopback = loopback
            settings.width = 320
            settings.height = 240
            settings.adaptive = false  // the quality is tested on its own
            return settings
        }

        convenience init(loopback: Bool = true) throws {
            try self.init(settings: Self.settings(loopback: loopback))
        }

        init(settings: MediaSettings, peerSettings: MediaSettings? = nil) throws {
            let shared = self.shared
            room = try MediaPeer(settings: settings) { event in
                shared.log.withLock { $0.append("room \(event)") }
                let (room, peer) = shared.peers.withLock { ($0.room, $0.peer) }
                switch event {
                case .negotiationNeeded: room?.createOffer()
                case .localDescription(let sdp):
                    try? peer?.setRemoteDescription(sdp, isAnswer: false)
                    peer?.createAnswer()
                case .iceCandidate(let mline, let candidate): try? peer?.addCandidate(mline: mline, candidate)
                case .chat(let text): shared.chat.withLock { $0.append("room got \(text)") }
                default: break
                }
            }
            peer = try MediaPeer(settings: peerSettings ?? settings) { event in
                shared.log.withLock { $0.append("peer \(event)") }
                let (room, peer) = shared.peers.withLock { ($0.room, $0.peer) }
                switch event {
                case .localDescription(let sdp): try? room?.setRemoteDescription(sdp, isAnswer: true)
                case .iceCandidate(let mline, let candidate): try? room?.addCandidate(mline: mline, candidate)
                case .chat(let text):
                    shared.chat.withLock { $0.append("peer got \(text)") }
                    _ = peer?.sendChat("bien reçu")
                default: break
                }
            }
            shared.peers.withLock { $0 = Shared.Peers(room: room, peer: peer) }
        }

        func start() throws {
            try peer.start(offerer: false)
            try room.start(offerer: true)
        }

        func wait(_ seconds: Double = 20, _ condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if condition() { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return false
        }
    }

    @Test func bothSidesReceiveVideoAndAudio() throws {
        let call = try Call()
        try call.start()
        let flowing = call.wait {
            call.room.videoFrames > 30 && call.peer.videoFrames > 30 && call.room.audioBuffers > 30 && call.peer.audioBuffers > 30
        }
        #expect(flowing, "room v\(call.room.videoFrames) a\(call.room.audioBuffers), peer v\(call.peer.videoFrames) a\(call.peer.audioBuffers)\n\(call.shared.log.withLock { $0.suffix(30).joined(separator: "\n") })")
        // Transport-wide congestion control is offered on every media line (the room is the
        // offerer so that it can be), and the answering side accepted it.
        let descriptions = call.shared.log.withLock { $0.filter { $0.contains("localDescription") } }
        let twcc = "extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
        #expect(descriptions.count == 2 && descriptions.allSatisfy { $0.components(separatedBy: twcc).count == 3 }, "\(descriptions)")
        #expect(descriptions.first { $0.hasPrefix("room") }?.contains("rtcp-fb:96 transport-cc") == true)
        // The chat channel: the room opened it, the peer answers.
        #expect(call.wait(5) { call.room.sendChat("https://www.caf.fr") })
        #expect(call.wait(5) { call.shared.chat.withLock { $0.contains("peer got https://www.caf.fr") && $0.contains("room got bien reçu") } })
        call.room.stop()
        call.peer.stop()
        #expect(call.shared.log.withLock { $0.contains("room ended(\"hung up\")") })
    }

    /// A third participant: the room's two seats (the specialist's, the invited participant's)
    /// are two calls sharing the room's devices; every direction carries pictures and sound,
    /// and the room's own pipeline stops with the last seat.
    @Test func aConferenceCarriesEveryDirectionAndReleasesTheRoomWithItsLastSeat() throws {
        func seat(_ seat: Int, pattern: String) throws -> Call {
            var room = Call.settings()
            room.conference = try ConferenceSeat(room: "test-room", seat: seat)
            var far = Call.settings()
            far.sources = .test(pattern: pattern)
            return try Call(settings: room, peerSettings: far)
        }
        let specialist = try seat(0, pattern: "red")
        let interpreter = try seat(1, pattern: "blue")
        try specialist.start()
        try interpreter.start()
        #expect(ConferenceRoom.isRunning("test-room"))
        let calls = [specialist, interpreter]
        let flowing = specialist.wait {
            calls.allSatisfy { $0.room.videoFrames > 30 && $0.peer.videoFrames > 30 && $0.room.audioBuffers > 30 && $0.peer.audioBuffers > 30 }
        }
        #expect(flowing, "\(calls.map { "room v\($0.room.videoFrames) a\($0.room.audioBuffers), far v\($0.peer.videoFrames) a\($0.peer.audioBuffers)" })")
        // The room's screen shows both: the specialist's red on the left, the interpreter's blue on the right.
        func looks(_ x: Double) -> String {
            guard let yuv = ConferenceRoom.screenColour("test-room", x: x, y: 0.5) else { return "nothing" }
            let (u, v) = (Int(yuv[1]), Int(yuv[2]))
            return v > 180 && u < 128 ? "red" : u > 180 && v < 150 ? "blue" : "\(yuv)"
        }
        #expect(specialist.wait(10) { looks(0.25) == "red" && looks(0.75) == "blue" }, "\(looks(0.25)) \(looks(0.75))")
        // One seat leaves: the other's call goes on, the room's pipeline too.
        specialist.room.stop()
        #expect(ConferenceRoom.isRunning("test-room"))
        // The one left, full screen.
        #expect(specialist.wait(10) { looks(0.25) == "blue" && looks(0.75) == "blue" }, "\(looks(0.25)) \(looks(0.75))")
        let before = interpreter.peer.videoFrames
        #expect(interpreter.wait(10) { interpreter.peer.videoFrames > before + 30 })
        interpreter.room.stop()
        #expect(!ConferenceRoom.isRunning("test-room"))
        #expect(throws: MediaError.self) { try ConferenceSeat(room: "a b", seat: 0) }
        #expect(throws: MediaError.self) { try ConferenceSeat(room: "room", seat: 2) }
    }

    @Test func theEngineReadsTheFarEndsReportsAndAppliesAQuality() throws {
        var settings = Call.settings()
        settings.adaptive = false  // this test drives the quality itself
        let call = try Call(settings: settings)
        try call.start()
        #expect(call.wait { call.peer.videoFrames > 30 && call.peer.audioBuffers > 30 })
        // The receiver's reports arrive (RTCP, and TWCC when negotiated): nothing lost on loopback.
        var stats: SendStats?
        #expect(call.wait(15) {
            stats = call.room.sendStats()
            return stats != nil
        })
        #expect((stats?.loss ?? 1) < 0.05)
        #expect(stats?.twcc == true, "TWCC statistics: \(String(describing: stats))")
        // Smaller picture and bitrate: the encoder takes them and the video goes on.
        call.room.apply(SendQuality(videoKbps: 250, width: 160, height: 120, video: true))
        #expect(call.room.videoKbps == 250)
        let before = call.peer.videoFrames
        #expect(call.wait(10) { call.peer.videoFrames > before + 20 })
        // Audio only: the video stops reaching the peer, the sound goes on; then back.
        call.room.apply(SendQuality(videoKbps: 250, width: 160, height: 120, video: false))
        Thread.sleep(forTimeInterval: 1)
        let (videoOff, audioOff) = (call.peer.videoFrames, call.peer.audioBuffers)
        Thread.sleep(forTimeInterval: 1.5)
        #expect(call.peer.videoFrames - videoOff <= 2 && call.peer.audioBuffers > audioOff + 20)
        call.room.apply(SendQuality(videoKbps: 600, width: 320, height: 240, video: true))
        #expect(call.wait(10) { call.peer.videoFrames > videoOff + 20 })
        call.room.stop()
        call.peer.stop()
    }

    /// At a low rate (a narrow link: the ladder's smaller pictures) the encoder gives a key frame
    /// every second, so that a lost packet freezes the far end's picture for a second at most;
    /// back at a good rate it does not.
    @Test func atALowRateAKeyFrameComesEverySecond() throws {
        var settings = Call.settings()
        settings.adaptive = false  // this test drives the quality itself
        let call = try Call(settings: settings)
        try call.start()
        #expect(call.wait { call.peer.videoFrames > 30 })
        func keyFrames(over seconds: Double) -> Int64 {
            let before = call.room.videoKeyFramesEncoded
            Thread.sleep(forTimeInterval: seconds)
            return call.room.videoKeyFramesEncoded - before
        }
        let first = keyFrames(over: 4.5)
        call.room.apply(SendQuality(videoKbps: 150, width: 160, height: 120, video: true, reduced: true))
        Thread.sleep(forTimeInterval: 1)
        let low = keyFrames(over: 4.5)
        call.room.apply(SendQuality(videoKbps: 600, width: 320, height: 240, video: true, reduced: true))
        Thread.sleep(forTimeInterval: 1)
        let high = keyFrames(over: 4.5)
        #expect(first <= 1 && low >= 3 && high <= 1, "key frames in 4.5 s (one a second expected at the low rate; a loaded machine encodes fewer frames): \(first) at the start, \(low) at 150 kbit/s, \(high) at 600")
        call.room.stop()
        call.peer.stop()
    }

    /// What the encoder steadily sends, kbit/s: the median of four one-second windows (one may
    /// hold a key frame). Four seconds at the high rate is also what showed libvpx's default
    /// VBR rate control keeping ~900 kbit/s for a 150 target (after two, it reached ~300: CI
    /// once measured 304): the preset's rate control is CBR, as a browser's.
    func sendingKbps(_ peer: MediaPeer) -> Double {
        var windows: [Double] = []
        for _ in 0..<4 {
            let before = peer.videoBytesEncoded
            Thread.sleep(forTimeInterval: 1)
            windows.append(Double(peer.videoBytesEncoded - before) * 8 / 1000)
        }
        windows.sort()
        return (windows[1] + windows[2]) / 2
    }

    @Test(arguments: ["vp8-opus", "h264-opus"])
    func eachEncoderTakesTheBitrateItIsGiven(preset: String) throws {
        var settings = Call.settings()
        settings.preset = preset
        // A moving zone plate: detailed enough that the encoder spends what it is allowed (noise
        // cannot be compressed to any target; the ball needs ~100 kbit/s whatever the target).
        settings.sources = .test(pattern: "zone-plate kx2=20 ky2=20 kt=1")
        settings.videoKbps = 1200
        let call = try Call(settings: settings)
        try call.start()
        #expect(call.wait { call.peer.videoFrames > 30 })
        let offer = call.shared.log.withLock { $0.first { $0.hasPrefix("room localDescription") } } ?? ""
        #expect(offer.contains(preset.hasPrefix("h264") ? "H264/90000" : "VP8/90000"))
        // The far end's browser is asked to start at the room's own rate, in the format's one
        // fmtp line (H.264's keeps its profile).
        let fmtp = offer.components(separatedBy: preset.hasPrefix("h264") ? "a=fmtp:102 " : "a=fmtp:96 ")
        let line = fmtp.count == 2 ? String(fmtp[1].prefix { $0 != "\\" }) : ""
        #expect(line.hasSuffix("x-google-start-bitrate=1200"), "\(offer)")
        #expect(!preset.hasPrefix("h264") || line.contains("profile-level-id=42e01f"), "\(offer)")
        let high = sendingKbps(call.room)
        call.room.apply(SendQuality(videoKbps: 150, width: 320, height: 240, video: true))
        #expect(call.room.videoKbps == 150)
        Thread.sleep(forTimeInterval: 1.5)
        let low = sendingKbps(call.room)
        #expect(high > 600 && low < 300 && low < high / 3, "\(preset): \(Int(high)) then \(Int(low)) kbit/s")
        let frames = call.peer.videoFrames
        #expect(call.wait(5) { call.peer.videoFrames > frames + 20 }, "the picture goes on at the lower rate")
        call.room.stop()
        call.peer.stop()
    }

    @Test func theLoopbackOptionAddsLoopbackCandidatesAndOnlyItDoes() throws {
        // libnice ignores `lo` unless told: with the option the room offers 127.0.0.1, without it
        // never (on a machine with only `lo`, no call could be set up without it).
        func candidates(loopback: Bool) throws -> [String] {
            let call = try Call(loopback: loopback)
            try call.start()
            _ = call.wait(5) { call.room.videoFrames > 5 }
            call.room.stop()
            call.peer.stop()
            return call.shared.log.withLock { $0.filter { $0.hasPrefix("room iceCandidate") } }
        }
        #expect(try candidates(loopback: true).contains { $0.contains(" 127.0.0.1 ") })
        #expect(try !candidates(loopback: false).contains { $0.contains(" 127.0.0.1 ") })
    }

    @Test func aMalformedRemoteDescriptionIsRefusedAndTheCallGoesOn() throws {
        let call = try Call()
        #expect(throws: MediaError.self) { try call.peer.setRemoteDescription("v=0\r\nnot sdp at all", isAnswer: false) }
        #expect(throws: MediaError.self) { try call.peer.setRemoteDescription(String(repeating: "a", count: 70_000), isAnswer: false) }
        #expect(throws: MediaError.self) { try call.peer.addCandidate(mline: 42, "candidate:1 1 UDP 1 127.0.0.1 9 typ host") }
        try call.start()
        #expect(call.wait { call.room.videoFrames > 10 && call.peer.videoFrames > 10 })
        call.room.stop()
        call.peer.stop()
    }

    @Test func theRoomOffersItsOwnECDSACertificateAndTheCallConnects() throws {
        let certificate = try DTLSCertificate.make()
        var roomSettings = Call.settings()
        roomSettings.dtlsCertificate = certificate
        // The far end keeps GStreamer's own certificate: the two kinds meet.
        let call = try Call(settings: roomSettings, peerSettings: Call.settings())
        try call.start()
        #expect(call.wait { call.room.videoFrames > 10 && call.peer.videoFrames > 10 }, "\(call.shared.log.withLock { $0.suffix(20).map { $0.prefix(150) } })")
        let offer = call.shared.log.withLock { $0.first { $0.hasPrefix("room localDescription") } } ?? ""
        #expect(offer.contains("a=fingerprint:\(certificate.fingerprint)"), "\(certificate.fingerprint) not in \(offer)")
        let answer = call.shared.log.withLock { $0.first { $0.hasPrefix("peer localDescription") } } ?? ""
        #expect(answer.contains("a=fingerprint:sha-256") && !answer.contains(certificate.fingerprint))
        call.room.stop()
        call.peer.stop()
    }

    @Test func anUnknownPresetIsRefused() {
        var settings = MediaSettings()
        settings.preset = "../../etc/passwd"
        #expect(throws: MediaError.self) { try MediaPeer(settings: settings) { _ in } }
    }
}
