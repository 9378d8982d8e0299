import CGStreamer
import Foundation
import GstShim
import Synchronization

/// One of a conference's two remote seats: the specialist (0) or the participant the booking
/// invited (1: an interpreter, a second advisor). Each seat is its own pipeline and call, so a
/// seat's drop, reconnection or adaptation leaves the other alone.
public struct ConferenceSeat: Sendable, Equatable, Codable {
    /// The room's conference: letters, digits and '-' only (it names GStreamer channels).
    public let room: String
    public let seat: Int

    public init(room: String, seat: Int) throws {
        guard (1...64).contains(room.count), room.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }), (0...1).contains(seat)
        else { throw MediaError(description: "invalid conference seat") }
        self.room = room
        self.seat = seat
    }

    public init(from decoder: any Decoder) throws {
        struct Raw: Decodable {
            let room: String
            let seat: Int
        }
        let raw = try Raw(from: decoder)
        try self.init(room: raw.room, seat: raw.seat)
    }

    var other: Int { 1 - seat }

    /// The process-wide channels (`intervideo*`, `interaudio*`) that carry pictures and sound
    /// between the seats' pipelines and the room's own.
    func channel(_ name: String) -> String { "guichet-\(room)-\(name)" }
}

/// The room's side of a conference, shared by its two seats' pipelines: the camera and the
/// microphone (opened once, each seat gets its own copy), and the room's screen and speaker,
/// which compose both remote people (side by side, or the one present full screen).
///
/// Each seat sends the far end the room's camera with the other seat's picture inset in a
/// corner (shown once that picture arrives), and the room's microphone mixed with the other
/// seat's voice: each remote person sees and hears the room and the other, never themselves.
public final class ConferenceRoom: @unchecked Sendable {
    private static let rooms = Mutex<[String: ConferenceRoom]>([:])

    private let pipeline: UnsafeMutablePointer<GstElement>
    private let width: Int
    private let height: Int
    /// Each seat's own compositor (its inset's pad is `sink_1`), retained while it takes part.
    private var mixes: [Int: UnsafeMutablePointer<GstElement>] = [:]
    /// Seats whose remote picture is arriving.
    private var live: Set<Int> = []

    private init(pipeline: UnsafeMutablePointer<GstElement>, width: Int, height: Int) {
        (self.pipeline, self.width, self.height) = (pipeline, width, height)
    }

    // MARK: the seats' pipelines

    /// The seat's outgoing picture and sound in place of the preset's `{video}` and `{audio}`,
    /// and the branches that feed them (appended to the pipeline's description).
    static func sources(_ seat: ConferenceSeat, width: Int, height: Int) -> (video: String, audio: String, branches: String) {
        let inset = inset(width: width, height: height)
        let raw = "video/x-raw,width=\(width),height=\(height),framerate=30/1"
        let video = """
            compositor name=mix background=black sink_1::xpos=\(inset.x) sink_1::ypos=\(inset.y) sink_1::width=\(inset.width) \
            sink_1::height=\(inset.height) sink_1::sizing-policy=keep-aspect-ratio sink_1::alpha=0 ! \(raw)
            """
        let branches = """
            intervideosrc channel=\(seat.channel("camera-to\(seat.seat)")) ! videoconvert ! videoscale ! \(raw) ! mix.sink_0 \
            intervideosrc channel=\(seat.channel("picture-from\(seat.other)-to\(seat.seat)")) ! videoconvert ! video/x-raw,framerate=30/1 ! mix.sink_1 \
            interaudiosrc channel=\(seat.channel("mic-to\(seat.seat)")) \(audioTimes) ! audioconvert ! audioresample ! voices. \
            interaudiosrc channel=\(seat.channel("voice-from\(seat.other)-to\(seat.seat)")) \(audioTimes) ! audioconvert ! audioresample ! voices.
            """
        return (video, "audiomixer name=voices ! audio/x-raw,rate=48000", branches)
    }

    /// Where the seat's decoded remote picture and sound go: to the other seat and to the room.
    static func outputs(_ seat: ConferenceSeat) -> (video: String, audio: String) {
        let copy = "queue leaky=downstream max-size-buffers=2"
        let video = """
            queue ! tee name=picture picture. ! \(copy) ! intervideosink channel=\(seat.channel("picture-from\(seat.seat)-to\(seat.other)")) \
            picture. ! \(copy) ! intervideosink channel=\(seat.channel("picture-from\(seat.seat)-toscreen"))
            """
        let audio = """
            queue ! audioconvert ! audioresample ! audio/x-raw,rate=48000 ! tee name=voice \
            voice. ! queue ! interaudiosink channel=\(seat.channel("voice-from\(seat.seat)-to\(seat.other)")) \
            voice. ! queue ! interaudiosink channel=\(seat.channel("voice-from\(seat.seat)-tospeaker"))
            """
        return (video, audio)
    }

    /// The inter sources' own latency: 20 ms read in 10 ms periods (GStreamer's default 100 ms
    /// would be heard as delay).
    private static let audioTimes = "latency-time=20000000 period-time=10000000"

    /// The other seat's picture, inset in the bottom right corner: a third of the picture.
    static func inset(width: Int, height: Int) -> (x: Int, y: Int, width: Int, height: Int) {
        let (w, h) = (width / 3 & ~1, height / 3 & ~1)
        return (width - w - width / 40, height - h - height / 40, w, h)
    }

    /// The room's own pipeline: the devices once, a copy for each seat, and the screen and speaker.
    static func description(_ room: String, sources: MediaSources, width: Int, height: Int, display: Bool) throws -> String {
        let seat = try ConferenceSeat(room: room, seat: 0)
        let raw = "video/x-raw,format=I420,width=\(width),height=\(height),framerate=30/1"
        let copy = "queue leaky=downstream max-size-buffers=2"
        let screen = display ? "videoconvert ! autovideosink sync=false" : "fakesink name=screen-out sync=false async=false"
        let speaker = display ? "audioconvert ! audioresample ! autoaudiosink sync=false" : "fakesink sync=false async=false"
        return """
            \(sources.video) ! videoconvert ! videoscale ! \(raw) ! tee name=camera \
            camera. ! \(copy) ! intervideosink channel=\(seat.channel("camera-to0")) \
            camera. ! \(copy) ! intervideosink channel=\(seat.channel("camera-to1")) \
            \(sources.audio) ! audioconvert ! audioresample ! audio/x-raw,rate=48000 ! tee name=mic \
            mic. ! queue ! interaudiosink channel=\(seat.channel("mic-to0")) \
            mic. ! queue ! interaudiosink channel=\(seat.channel("mic-to1")) \
            compositor name=screen background=black sink_0::sizing-policy=keep-aspect-ratio sink_1::sizing-policy=keep-aspect-ratio \
            sink_0::alpha=0 sink_1::alpha=0 ! \(raw) ! \(screen) \
            intervideosrc channel=\(seat.channel("picture-from0-toscreen")) ! videoconvert ! video/x-raw,framerate=30/1 ! screen.sink_0 \
            intervideosrc channel=\(seat.channel("picture-from1-toscreen")) ! videoconvert ! video/x-raw,framerate=30/1 ! screen.sink_1 \
            audiomixer name=speaker ! \(speaker) \
            interaudiosrc channel=\(seat.channel("voice-from0-tospeaker")) \(audioTimes) ! audioconvert ! audioresample ! speaker. \
            interaudiosrc channel=\(seat.channel("voice-from1-tospeaker")) \(audioTimes) ! audioconvert ! audioresample ! speaker.
            """
    }

    // MARK: taking part

    /// The seat's pipeline starts: the room's own starts with the first seat.
    static func join(_ seat: ConferenceSeat, mix: UnsafeMutablePointer<GstElement>, settings: MediaSettings) throws {
        try rooms.withLock { rooms in
            let room: ConferenceRoom
            if let existing = rooms[seat.room] {
                room = existing
            } else {
                let text = try description(seat.room, sources: settings.sources, width: settings.width, height: settings.height, display: settings.display)
                var error: UnsafeMutablePointer<GError>?
                guard let built = gst_parse_launch(text, &error), error == nil else {
                    let message = error.map { String(cString: $0.pointee.message) } ?? "unknown"
                    if let error { g_error_free(error) }
                    throw MediaError(description: "the room's conference pipeline refused: \(message)")
                }
                guichet_aggregators_keep_time(built)
                guard gst_element_set_state(built, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE else {
                    gst_object_unref(built)
                    throw MediaError(description: "the room's conference pipeline cannot start (camera or microphone busy?)")
                }
                room = ConferenceRoom(pipeline: built, width: settings.width, height: settings.height)
                rooms[seat.room] = room
            }
            if let previous = room.mixes[seat.seat] { gst_object_unref(previous) }
            room.mixes[seat.seat] = UnsafeMutablePointer<GstElement>(OpaquePointer(gst_object_ref(mix)))
            room.live.remove(seat.seat)
            room.arrange()
        }
    }

    /// The seat's remote picture arrives (or stops with its pipeline).
    static func picture(_ seat: ConferenceSeat, live: Bool) {
        rooms.withLock { rooms in
            guard let room = rooms[seat.room] else { return }
            if live { room.live.insert(seat.seat) } else { room.live.remove(seat.seat) }
            room.arrange()
        }
    }

    /// The seat's pipeline stopped: the room's own stops with the last seat (devices released).
    static func leave(_ seat: ConferenceSeat, mix: UnsafeMutablePointer<GstElement>) {
        let finished: ConferenceRoom? = rooms.withLock { rooms in
            guard let room = rooms[seat.room], room.mixes[seat.seat] == mix else { return nil }
            gst_object_unref(room.mixes.removeValue(forKey: seat.seat))
            room.live.remove(seat.seat)
            room.arrange()
            guard room.mixes.isEmpty else { return nil }
            rooms[seat.room] = nil
            return room
        }
        if let finished {
            gst_element_set_state(finished.pipeline, GST_STATE_NULL)
            gst_object_unref(finished.pipeline)
        }
    }

    /// Whether the room's own pipeline runs (tests: it stops with the last seat).
    public static func isRunning(_ room: String) -> Bool { rooms.withLock { $0[room] != nil } }

    /// Tests, without a display: the colour (Y, U, V) of the room's screen at a point given as
    /// fractions of its size, or nil.
    public static func screenColour(_ room: String, x: Double, y: Double) -> [UInt8]? {
        rooms.withLock { rooms -> [UInt8]? in
            guard let room = rooms[room], let sink = gst_bin_get_by_name(UnsafeMutablePointer<GstBin>(OpaquePointer(room.pipeline)), "screen-out") else {
                return nil
            }
            defer { gst_object_unref(sink) }
            var yuv: [UInt8] = [0, 0, 0]
            return guichet_sample_pixel(sink, x, y, &yuv) == 0 ? yuv : nil
        }
    }

    /// Shows each seat's inset when the other's picture arrives, and lays the room's screen out:
    /// the remote people present side by side, or the one present full screen.
    private func arrange() {
        for (seat, mix) in mixes { setPad(mix, "sink_1", alpha: live.contains(1 - seat)) }
        guard let screen = gst_bin_get_by_name(UnsafeMutablePointer<GstBin>(OpaquePointer(pipeline)), "screen") else { return }
        defer { gst_object_unref(screen) }
        let both = live.count == 2
        for seat in 0...1 {
            let frame = both ? (x: seat * width / 2, y: height / 4, width: width / 2, height: height / 2) : (x: 0, y: 0, width: width, height: height)
            setPad(screen, "sink_\(seat)", alpha: live.contains(seat), frame: frame)
        }
    }

    private func setPad(_ element: UnsafeMutablePointer<GstElement>, _ name: String, alpha: Bool, frame: (x: Int, y: Int, width: Int, height: Int)? = nil) {
        guard let pad = gst_element_get_static_pad(element, name) else { return }
        defer { gst_object_unref(pad) }
        let object = UnsafeMutablePointer<GObject>(OpaquePointer(pad))
        if let frame {
            for (property, value) in [("xpos", frame.x), ("ypos", frame.y), ("width", frame.width), ("height", frame.height)] {
                gst_util_set_object_arg(object, property, "\(value)")
            }
        }
        gst_util_set_object_arg(object, "alpha", alpha ? "1" : "0")
    }
}
