import CGStreamer
import Foundation
import GstShim

/// What a call's media side reports. Delivered in order on the peer's own serial queue,
/// never on GStreamer's streaming threads (whose callbacks must not block).
public enum MediaEvent: Sendable, Equatable {
    case negotiationNeeded
    case iceCandidate(mline: UInt32, candidate: String)
    case localDescription(sdp: String)
    case iceState(String)
    case remoteMedia(String)
    case chat(String)
    /// The engine changed what it sends to suit the network (bitrate, picture size, audio only).
    case quality(SendQuality)
    /// Each second's network report from webrtcbin's statistics: the share of the room's
    /// packets lost (0–1) and the round-trip time in seconds (0: not known yet).
    case network(loss: Double, roundTrip: Double)
    /// The call cannot go on (bus error, ICE failure, end of stream); the pipeline is stopped.
    case ended(String)
}

/// Where the room's picture and sound come from.
public enum MediaSources: Sendable {
    /// The station's camera and microphone.
    case devices(video: String = "v4l2src", audio: String = "pulsesrc")
    /// GStreamer test sources: the stand-in for a camera on a machine that has none.
    case test(pattern: String = "ball")
    /// Benchmark only: a recorded clip of raw I420 frames at 30 fps, looped, with the test
    /// sound — the very pictures a browser's fake camera is given in the same run, so both ends
    /// of a comparison encode the same thing (videotestsrc alone costs ~17 % of a core at 720p,
    /// a camera next to nothing).
    case recording(path: String, width: Int, height: Int)

    var video: String {
        switch self {
        case .devices(let video, _): video
        case .test(let pattern): "videotestsrc is-live=true pattern=\(pattern)"
        case .recording(let path, let width, let height):
            "multifilesrc location=\"\(path)\" loop=true ! rawvideoparse format=i420 width=\(width) height=\(height) framerate=30/1 ! clocksync"
        }
    }

    var audio: String {
        switch self {
        case .devices(_, let audio): audio
        case .test, .recording: "audiotestsrc is-live=true wave=ticks"
        }
    }
}

public struct MediaSettings: Sendable {
    public var preset = "vp8-opus"
    public var sources: MediaSources = .test()
    public var width = 640
    public var height = 480
    /// kbit/s for VP8's target (bit/s for the preset is derived).
    public var videoKbps = 1200
    /// webrtcbin's jitter buffer: 200 ms by default in GStreamer; 50 measured at ~79 ms glass to glass.
    public var latencyMs = 50
    public var stunServer: String?
    public var turnServer: String?
    /// Gather candidates on 127.0.0.1 (tests on loopback only).
    public var allowLoopback = false
    /// Use TURN relays only (ICE transport policy "relay"): proves the TURN path in tests.
    public var relayOnly = false
    /// Adapt bitrate, resolution and video on/off to the far end's reports, once a second.
    public var adaptive = true
    /// Play the remote picture and sound on the room's screen and speaker (full screen under
    /// cage); off, they are only counted (tests, the benchmark, a machine without a display).
    public var display = false
    /// The room's DTLS certificate (ECDSA P-256, `DTLSCertificate.room(in:)`); nil leaves
    /// GStreamer's own (RSA), which clients offering only ECDSA suites refuse.
    public var dtlsCertificate: DTLSCertificate?
    /// Benchmark only: write the wall-clock time into each outgoing picture and read the
    /// remote pictures' stamps (glass-to-glass latency).
    public var stamps = false
    /// A seat of a conference (a third participant): the room's devices, screen and speaker are
    /// then shared with the other seat's pipeline (`ConferenceRoom`).
    public var conference: ConferenceSeat?

    public init() {}
}

public struct MediaError: Error, CustomStringConvertible, Equatable {
    public let description: String
}

/// One side of a call: a GStreamer pipeline around webrtcbin. The C shim holds what Swift
/// cannot call; this class holds the pipeline's life.
///
/// Who owns whom: this peer owns the pipeline and webrtcbin (one reference each, dropped in
/// `deinit`). The shim's callbacks get the peer through `Unmanaged.passUnretained`: they never
/// keep it alive, and `deinit` stops the pipeline (which joins GStreamer's streaming threads)
/// before anything is released. Events leave through `onEvent` on the peer's own queue.
public final class MediaPeer: @unchecked Sendable {
    /// `GUICHET_MEDIA_TRACE` set: each second's report and the quality it led to, on standard error.
    private static let traced = ProcessInfo.processInfo.environment["GUICHET_MEDIA_TRACE"] != nil

    private static let initialised: Bool = {
        gst_init(nil, nil)
        return true
    }()

    private let pipeline: UnsafeMutablePointer<GstElement>
    private let webrtc: UnsafeMutablePointer<GstElement>
    /// Remote video frames, remote audio buffers, bytes and key frames out of the room's video encoder.
    private let counters = UnsafeMutablePointer<gint64>.allocate(capacity: 4)
    private let queue = DispatchQueue(label: "guichet.media.peer")
    private let handler: @Sendable (MediaEvent) -> Void
    private let state = NSLock()
    private var running = false
    private var stopped = false
    private var busThread: Thread?
    private let settings: MediaSettings
    private let created = DispatchTime.now()
    private var adapter: QualityAdapter
    private var adaptation: (any DispatchSourceTimer)?
    /// The encoder's output at the last adaptation (bytes, and when), for its real rate.
    private var lastEncoded: (bytes: Int64, at: DispatchTime)?
    /// A conference seat's compositor (the room's camera, the other seat's inset).
    private let mix: UnsafeMutablePointer<GstElement>?

    /// Frames of remote video and buffers of remote audio that reached the room's sinks.
    public var videoFrames: Int64 { Int64(counters.pointee) }
    public var audioBuffers: Int64 { Int64((counters + 1).pointee) }
    /// Bytes the room's video encoder has produced (what it really sends, whatever its target).
    public var videoBytesEncoded: Int64 { Int64((counters + 2).pointee) }
    /// Key frames the room's video encoder has produced.
    public var videoKeyFramesEncoded: Int64 { Int64((counters + 3).pointee) }

    public init(settings: MediaSettings, onEvent: @escaping @Sendable (MediaEvent) -> Void) throws {
        _ = Self.initialised
        handler = onEvent
        self.settings = settings
        adapter = QualityAdapter(maxKbps: settings.videoKbps, width: settings.width, height: settings.height)
        counters.initialize(repeating: 0, count: 4)
        let description = try Self.description(settings)
        var error: UnsafeMutablePointer<GError>?
        guard let built = gst_parse_launch(description, &error), error == nil else {
            let message = error.map { String(cString: $0.pointee.message) } ?? "unknown"
            if let error { g_error_free(error) }
            counters.deallocate()
            throw MediaError(description: "pipeline refused: \(message)")
        }
        pipeline = built
        guard let found = gst_bin_get_by_name(UnsafeMutablePointer<GstBin>(OpaquePointer(built)), "webrtc") else {
            gst_object_unref(built)
            counters.deallocate()
            throw MediaError(description: "the preset has no webrtcbin named webrtc")
        }
        webrtc = found
        guichet_aggregators_keep_time(built)
        mix = settings.conference == nil ? nil : gst_bin_get_by_name(UnsafeMutablePointer<GstBin>(OpaquePointer(built)), "mix")
        let object = UnsafeMutablePointer<GObject>(OpaquePointer(found))
        if let stun = settings.stunServer { gst_util_set_object_arg(object, "stun-server", Self.gstURL(stun)) }
        if let turn = settings.turnServer { gst_util_set_object_arg(object, "turn-server", Self.gstURL(turn)) }
        if settings.relayOnly { gst_util_set_object_arg(object, "ice-transport-policy", "relay") }
        if let certificate = settings.dtlsCertificate { guichet_webrtc_set_certificate(found, certificate.pem, certificate.fingerprint) }
        guichet_webrtc_watch(
            built, found, { context, event, mline, text in
                guard let context else { return }
                let peer = Unmanaged<MediaPeer>.fromOpaque(context).takeUnretainedValue()
                peer.received(event, mline, text.map { String(cString: $0) })
            }, Unmanaged.passUnretained(self).toOpaque(), counters, counters + 1, settings.display ? 1 : 0)
        if let seat = settings.conference {
            let outputs = ConferenceRoom.outputs(seat)
            guichet_webrtc_set_outputs(found, outputs.video, outputs.audio)
        }
        if let encoder = gst_bin_get_by_name(UnsafeMutablePointer<GstBin>(OpaquePointer(built)), "videoencoder") {
            _ = guichet_count_output(encoder, counters + 2)
            gst_object_unref(encoder)
        }
        if settings.stamps, let valve = gst_bin_get_by_name(UnsafeMutablePointer<GstBin>(OpaquePointer(built)), "videovalve") {
            guichet_stamp_outgoing(valve)
            gst_object_unref(valve)
            _ = stampLatencies()
        }
        guichet_webrtc_pace_ice_checks(found, 5)
        guichet_webrtc_ask_far_start_rate(found, UInt32(settings.videoKbps))
        if settings.allowLoopback, guichet_webrtc_allow_loopback(found) != 0 {
            throw MediaError(description: "cannot add the loopback address to the ICE agent")
        }
    }

    /// Loads GStreamer and each preset's plugins (pipelines built and dropped, devices untouched),
    /// so that the first call of the day sets up as fast as the others. The presets that cannot
    /// be built, with why.
    public static func warmUp(_ settings: MediaSettings, presets: [String]) -> [(preset: String, error: any Error)] {
        _ = initialised
        // What the far end's streams are decoded with: loaded at the first remote stream
        // otherwise (decodebin plugs them in), which the first call of the day paid for; and a
        // DTLS decoder, whose first one makes GStreamer's own certificate (an RSA key: ~200 ms
        // in the first offer otherwise, even though the room then uses its own).
        for factory in ["dtlsdec", "decodebin", "rtpvp8depay", "vp8dec", "rtph264depay", "openh264dec", "h264parse", "rtpopusdepay", "opusdec", "queue", "fakesink"] {
            if let element = gst_element_factory_make(factory, nil) { gst_object_unref(element) }
        }
        // The room's own sources' plugins (the rehearsal below uses test sources): built, never
        // started, so no camera or microphone opens. A failure shows at the call, with its reason.
        for source in [settings.sources.video, settings.sources.audio] {
            var error: UnsafeMutablePointer<GError>?
            let bin = gst_parse_bin_from_description(source, 1, &error)
            if let error { g_error_free(error) }
            if let bin { gst_object_unref(bin) }
        }
        // The codecs' own start (their tables, their first frame): a few frames through each, to
        // the end. (Not openh264's encoder: its flush at the end prints an error to the console.)
        for loop in [
            "videotestsrc num-buffers=3 ! video/x-raw,width=\(settings.width),height=\(settings.height) ! vp8enc deadline=1 ! vp8dec ! fakesink",
            "audiotestsrc num-buffers=3 ! opusenc ! opusdec ! fakesink",
        ] {
            runToEnd(loop)
        }
        let failures: [(preset: String, error: any Error)] = presets.compactMap { preset in
            var settings = settings
            settings.preset = preset
            do {
                _ = try MediaPeer(settings: settings) { _ in }
                return nil
            } catch {
                return (preset, error)
            }
        }
        if let preset = presets.first, !failures.contains(where: { $0.preset == preset }) { rehearse(settings, preset: preset) }
        return failures
    }

    /// A whole call, the room calling itself on loopback with test sources (the camera stays
    /// closed, nothing leaves the machine) until each end decodes a picture: what only a
    /// running call did the first time — the pipeline's start, the chat channel's SCTP stack,
    /// the offer with the certificate's fingerprint, ICE's sockets, the first DTLS handshake
    /// and SRTP keys, the receiving side's jitter buffer and decoders — cost the first call of
    /// the day ~100 ms more than the others when the rehearsal stopped at the offer.
    private static func rehearse(_ settings: MediaSettings, preset: String) {
        var settings = settings
        (settings.preset, settings.sources, settings.display, settings.adaptive, settings.stamps, settings.conference) =
            (preset, .test(), false, false, false, nil)
        (settings.allowLoopback, settings.stunServer, settings.turnServer, settings.relayOnly) = (true, nil, nil, false)
        final class Ends: @unchecked Sendable {
            weak var room: MediaPeer?
            weak var far: MediaPeer?
            let pictures = DispatchSemaphore(value: 0)
        }
        let ends = Ends()
        let room = try? MediaPeer(settings: settings) { event in
            switch event {
            case .negotiationNeeded: ends.room?.createOffer()
            case .localDescription(let sdp):
                _ = try? ends.far?.setRemoteDescription(sdp, isAnswer: false)
                ends.far?.createAnswer()
            case .iceCandidate(let mline, let candidate): _ = try? ends.far?.addCandidate(mline: mline, candidate)
            case .remoteMedia("video"): ends.pictures.signal()
            default: break
            }
        }
        let far = try? MediaPeer(settings: settings) { event in
            switch event {
            case .localDescription(let sdp): _ = try? ends.room?.setRemoteDescription(sdp, isAnswer: true)
            case .iceCandidate(let mline, let candidate): _ = try? ends.room?.addCandidate(mline: mline, candidate)
            case .remoteMedia("video"): ends.pictures.signal()
            default: break
            }
        }
        guard let room, let far else { return }
        (ends.room, ends.far) = (room, far)
        defer {
            room.stop(reason: nil)
            far.stop(reason: nil)
        }
        guard (try? far.start(offerer: false)) != nil, (try? room.start(offerer: true)) != nil else { return }
        for _ in 0..<2 where ends.pictures.wait(timeout: .now() + 3) == .timedOut { return }
    }

    /// Runs a short pipeline until its end (at most 5 s); failures are only a slower first call.
    private static func runToEnd(_ description: String) {
        var error: UnsafeMutablePointer<GError>?
        guard let pipeline = gst_parse_launch(description, &error) else {
            if let error { g_error_free(error) }
            return
        }
        if let error { g_error_free(error) }
        defer { gst_object_unref(pipeline) }
        gst_element_set_state(pipeline, GST_STATE_PLAYING)
        if let bus = gst_element_get_bus(pipeline) {
            let end = GstMessageType(GST_MESSAGE_EOS.rawValue | GST_MESSAGE_ERROR.rawValue)
            if let message = gst_bus_timed_pop_filtered(bus, 5_000_000_000, end) { gst_message_unref(message) }
            gst_object_unref(bus)
        }
        gst_element_set_state(pipeline, GST_STATE_NULL)
    }

    deinit {
        stop(reason: nil)
        if let mix { gst_object_unref(mix) }
        gst_object_unref(webrtc)
        gst_object_unref(pipeline)
        counters.deallocate()
    }

    /// `stun:host:port` (the browser's form) → `stun://host:port` (webrtcbin's).
    static func gstURL(_ url: String) -> String {
        for scheme in ["stun:", "turn:", "turns:"] where url.hasPrefix(scheme) && !url.hasPrefix(scheme + "//") {
            return scheme + "//" + url.dropFirst(scheme.count)
        }
        return url
    }

    static func description(_ s: MediaSettings) throws -> String {
        guard s.preset.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }),
            let url = Bundle.module.url(forResource: s.preset, withExtension: "pipeline", subdirectory: "presets"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { throw MediaError(description: "unknown preset \(s.preset)") }
        guard (160...1920).contains(s.width), (120...1080).contains(s.height), (100...8000).contains(s.videoKbps), (0...2000).contains(s.latencyMs)
        else { throw MediaError(description: "settings out of range") }
        var (video, audio, branches) = (s.sources.video, s.sources.audio, "")
        if let seat = s.conference { (video, audio, branches) = ConferenceRoom.sources(seat, width: s.width, height: s.height) }
        let lines = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") } + [Substring(branches)]
        return lines.joined(separator: " ")
            .replacingOccurrences(of: "{video}", with: video)
            .replacingOccurrences(of: "{audio}", with: audio)
            .replacingOccurrences(of: "{width}", with: "\(s.width)")
            .replacingOccurrences(of: "{height}", with: "\(s.height)")
            .replacingOccurrences(of: "{bitrate}", with: "\(s.videoKbps * 1000)")
            .replacingOccurrences(of: "{vp8speed}", with: "\(Self.vp8Speed(width: s.width, height: s.height))")
            .replacingOccurrences(of: "{latency}", with: "\(s.latencyMs)")
    }

    private func received(_ event: Int32, _ mline: UInt32, _ text: String?) {
        let mapped: MediaEvent? =
            switch event {
            case Int32(GUICHET_EVENT_NEGOTIATION_NEEDED.rawValue): .negotiationNeeded
            case Int32(GUICHET_EVENT_ICE_CANDIDATE.rawValue): .iceCandidate(mline: mline, candidate: text ?? "")
            case Int32(GUICHET_EVENT_LOCAL_DESCRIPTION.rawValue): .localDescription(sdp: text ?? "")
            case Int32(GUICHET_EVENT_ICE_STATE.rawValue): .iceState(text ?? "")
            case Int32(GUICHET_EVENT_REMOTE_MEDIA.rawValue): .remoteMedia(text ?? "")
            case Int32(GUICHET_EVENT_DATA.rawValue): .chat(text ?? "")
            case Int32(GUICHET_EVENT_ERROR.rawValue): .ended(text ?? "error")
            default: nil
            }
        guard let mapped else { return }
        if case .remoteMedia("video") = mapped, let seat = settings.conference { ConferenceRoom.picture(seat, live: true) }
        if Self.traced {
            let ms = Double(DispatchTime.now().uptimeNanoseconds - created.uptimeNanoseconds) / 1e6
            FileHandle.standardError.write(Data("guichet media: +\(Int(ms)) ms \(String(describing: mapped).prefix(60))\n".utf8))
        }
        if case .iceState("failed") = mapped {
            deliver(.iceState("failed"))
            queue.async { self.stop(reason: "ICE failed") }
            return
        }
        deliver(mapped)
    }

    private func deliver(_ event: MediaEvent) {
        let handler = self.handler
        queue.async { handler(event) }
    }

    // MARK: the call

    /// Starts the pipeline. The offerer (the room, always) also opens the chat channel.
    public func start(offerer: Bool) throws {
        state.lock()
        defer { state.unlock() }
        guard !running, !stopped else { return }
        // A conference seat's devices are the room's: its pipeline starts first.
        if let seat = settings.conference, let mix { try ConferenceRoom.join(seat, mix: mix, settings: settings) }
        guard gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE else {
            if let seat = settings.conference, let mix { ConferenceRoom.leave(seat, mix: mix) }
            throw MediaError(description: "the pipeline cannot start (camera or microphone busy?)")
        }
        running = true
        if offerer { guichet_webrtc_create_chat(webrtc) }
        if settings.adaptive {
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + 2, repeating: 1)
            timer.setEventHandler { [weak self] in self?.adapt() }
            timer.resume()
            adaptation = timer
        }
        let thread = Thread { [weak self] in self?.watchBus() }
        thread.name = "guichet.media.bus"
        busThread = thread
        thread.start()
    }

    /// Starts the pipeline as the offerer while the far end waits to be let in: camera,
    /// microphone and encoders run, and what they produce is dropped before webrtcbin until
    /// `release()` (webrtcbin still learns the formats and asks to negotiate).
    public func prepare() throws {
        guichet_webrtc_hold_input(webrtc)
        try start(offerer: true)
    }

    /// The prepared media go out from now on, starting with a key frame.
    public func release() { guichet_webrtc_release_input(webrtc) }

    public func createOffer() { guichet_webrtc_create(webrtc, 0) }
    public func createAnswer() { guichet_webrtc_create(webrtc, 1) }

    /// Validated before webrtcbin sees it.
    public func setRemoteDescription(_ sdp: String, isAnswer: Bool) throws {
        guard sdp.utf8.count <= 64 * 1024, guichet_webrtc_set_remote(webrtc, isAnswer ? 1 : 0, sdp) == 0 else {
            throw MediaError(description: "remote description refused")
        }
    }

    public func addCandidate(mline: UInt32, _ candidate: String) throws {
        guard mline < 8, candidate.utf8.count <= 1024, candidate.hasPrefix("candidate:") || candidate.isEmpty else {
            throw MediaError(description: "candidate refused")
        }
        guichet_webrtc_add_candidate(webrtc, mline, candidate)
    }

    @discardableResult
    public func sendChat(_ text: String) -> Bool { guichet_webrtc_send_chat(webrtc, text) == 0 }

    /// Stops the pipeline and releases the devices; `reason` is reported as `.ended`.
    public func stop(reason: String? = "hung up") {
        state.lock()
        let wasRunning = running
        running = false
        stopped = true
        let timer = adaptation
        adaptation = nil
        state.unlock()
        timer?.cancel()
        guichet_webrtc_stopping(webrtc)
        gst_element_set_state(pipeline, GST_STATE_NULL)
        if wasRunning, let seat = settings.conference, let mix { ConferenceRoom.leave(seat, mix: mix) }
        if wasRunning, let reason { deliver(.ended(reason)) }
    }

    // MARK: adapting to the network

    /// What the far end reports about our sending, or nil before its first report.
    public func sendStats() -> SendStats? {
        guard let reply = guichet_webrtc_get_stats(webrtc) else { return nil }
        defer { gst_structure_free(reply) }
        return SendStats(webrtcStats: reply)
    }

    private func element(_ name: String) -> UnsafeMutablePointer<GstElement>? {
        gst_bin_get_by_name(UnsafeMutablePointer<GstBin>(OpaquePointer(pipeline)), name)
    }

    private func set(_ name: String, _ property: String, _ value: String) {
        guard let element = element(name) else { return }
        defer { gst_object_unref(element) }
        gst_util_set_object_arg(UnsafeMutablePointer<GObject>(OpaquePointer(element)), property, value)
    }

    private var bitrateProperty: String { settings.preset.hasPrefix("h264") ? "bitrate" : "target-bitrate" }

    /// The encoder's current target, kbit/s.
    public var videoKbps: Int {
        guard let encoder = element("videoencoder") else { return 0 }
        defer { gst_object_unref(encoder) }
        return Int(guichet_get_int(encoder, bitrateProperty)) / 1000
    }

    /// Benchmark only: glass-to-glass latencies (ms) of the remote pictures read since the last call.
    public func stampLatencies() -> [Double] {
        var buffer = [Double](repeating: 0, count: 4096)
        let count = guichet_stamp_latencies(webrtc, &buffer, 4096)
        return Array(buffer.prefix(Int(count)))
    }

    /// libvpx's real-time speed for a picture size: its fastest (16) from 720p up, where the
    /// encoder is most of the room's CPU (a 2-core PC also decodes the specialist's picture)
    /// and bits are plenty; 8 below, where every bit counts and encoding costs little.
    static func vp8Speed(width: Int, height: Int) -> Int { width * height >= 1280 * 720 ? 16 : 8 }

    /// Sends at this quality from now on.
    public func apply(_ quality: SendQuality) {
        set("videoencoder", bitrateProperty, "\(quality.videoKbps * 1000)")
        // A key frame (the far end asks for one after a loss) at most 3 frames' worth at a low
        // rate, 9 above: a large one overflows a narrow link's queue, is lost in part, and is
        // asked for again — a picture frozen for seconds.
        if !settings.preset.hasPrefix("h264") {
            set("videoencoder", "max-intra-bitrate", quality.videoKbps < 200 ? "300" : "900")
            // At a low rate (a narrow link, where a packet is lost now and then) a key frame
            // every second too: a loss then freezes the far end's picture for a second at most,
            // whether or not its request for a key frame gets through (under a 150 kbit/s cap
            // one freeze lasted 30 s with a few packets lost). Cheap there: a small picture's key
            // frame. libvpx takes the interval when it restarts, i.e. with the next picture size:
            // the ladder's steps. (Key frames asked every second instead, as a far end asks,
            // froze the picture longer under the cap benchmark: 7.5–14 s of 40 against 5–6.5.)
            set("videoencoder", "keyframe-max-dist", quality.videoKbps < 200 ? "30" : "3000")
            set("videoencoder", "cpu-used", "\(Self.vp8Speed(width: quality.width, height: quality.height))")
        }
        set("videosize", "caps", "video/x-raw,format=I420,width=\(quality.width),height=\(quality.height),framerate=30/1")
        set("videovalve", "drop", quality.video ? "false" : "true")
    }

    private func adapt() {
        state.lock()
        let go = running
        state.unlock()
        guard go, let stats = sendStats() else { return }
        let (bytes, now) = (videoBytesEncoded, DispatchTime.now())
        var sentKbps: Double?
        if let last = lastEncoded {
            let seconds = Double(now.uptimeNanoseconds - last.at.uptimeNanoseconds) / 1e9
            if seconds > 0.2 { sentKbps = Double(bytes - last.bytes) * 8 / 1000 / seconds }
        }
        lastEncoded = (bytes, now)
        let before = adapter.quality
        let report = QualityAdapter.Report(
            loss: stats.loss, roundTrip: stats.roundTrip, sentKbps: sentKbps, receivedKbps: stats.receivedBitrate > 0 ? stats.receivedBitrate / 1000 : nil,
            departedKbps: stats.sentBitrate > 0 ? stats.sentBitrate / 1000 : nil, delayGrowthMs: stats.twcc ? stats.delayGrowth * 1000 : nil)
        let after = adapter.update(report)
        if Self.traced { FileHandle.standardError.write(Data("guichet media: \(report) → \(after)\n".utf8)) }
        deliver(.network(loss: stats.loss, roundTrip: stats.roundTrip))
        guard after != before else { return }
        apply(after)
        deliver(.quality(after))
    }

    private func watchBus() {
        guard let bus = gst_element_get_bus(pipeline) else { return }
        defer { gst_object_unref(bus) }
        let wanted = GstMessageType(GST_MESSAGE_ERROR.rawValue | GST_MESSAGE_EOS.rawValue | GST_MESSAGE_LATENCY.rawValue)
        while true {
            state.lock()
            let go = running
            state.unlock()
            guard go else { return }
            guard let message = gst_bus_timed_pop_filtered(bus, 100_000_000, wanted) else { continue }
            defer { gst_message_unref(message) }
            switch message.pointee.type {
            case GST_MESSAGE_LATENCY:
                _ = gst_bin_recalculate_latency(UnsafeMutablePointer<GstBin>(OpaquePointer(pipeline)))
            case GST_MESSAGE_ERROR:
                var error: UnsafeMutablePointer<GError>?
                var debug: UnsafeMutablePointer<gchar>?
                gst_message_parse_error(message, &error, &debug)
                let text = error.map { String(cString: $0.pointee.message) } ?? "error"
                // The element and GStreamer's detail go to the log (standard error), not to the call's ends.
                var source = "?"
                if let element = message.pointee.src, let path = gst_object_get_path_string(element) {
                    source = String(cString: path)
                    g_free(path)
                }
                FileHandle.standardError.write(Data("guichet media: error from \(source): \(text) (\(debug.map { String(cString: $0) } ?? ""))\n".utf8))
                if let error { g_error_free(error) }
                g_free(debug)
                queue.async { self.stop(reason: "media error: \(text)") }
                return
            default:
                queue.async { self.stop(reason: "end of stream") }
                return
            }
        }
    }
}
