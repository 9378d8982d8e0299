import ArgumentParser
import Foundation
import Logging
import Media

/// The room's camera, microphone and picture: for `serve` (a room on the server's own
/// machine) and for `room` (the room's own PC).
struct VisioOptions: ParsableArguments {
    @Option(help: "The visio room's camera and microphone: devices (v4l2src, pulsesrc), test (GStreamer's test sources, for a machine without a camera), or auto (devices when /dev/video0 exists).")
    var visioMedia: VisioMedia = .auto

    @Option(help: "The picture the visio room sends, WIDTHxHEIGHT at 30 fps (640x480 or 1280x720); the engine lowers it when the network is poor.")
    var visioResolution = "640x480"

    @Flag(help: ArgumentHelp("Write the wall-clock time into the room's pictures and read the specialist's (the visio benchmark only).", visibility: .hidden))
    var visioStamps = false

    @Flag(help: ArgumentHelp("Gather ICE candidates on 127.0.0.1 too (tests on loopback only).", visibility: .hidden))
    var visioLoopback = false

    @Option(help: ArgumentHelp("A recorded clip instead of the test picture: raw I420 frames at the sent size, 30 fps, looped (the visio benchmark only: the same clip as the browsers' fake camera).", visibility: .hidden))
    var visioTestVideo: String?

    @Option(help: ArgumentHelp("The test sources' picture: ball (little to encode), zone-plate (a detailed moving picture: the benchmark under a bandwidth cap).", visibility: .hidden))
    var visioTestPattern = "ball"

    func settings(_ logger: Logger) throws -> MediaSettings {
        var settings = MediaSettings()
        let size = visioResolution.split(separator: "x").compactMap { Int($0) }
        guard size.count == 2, (160...1920).contains(size[0]), (120...1080).contains(size[1]), size[0] % 2 == 0, size[1] % 2 == 0 else {
            throw ValidationError("--visio-resolution: expected WIDTHxHEIGHT such as 640x480 or 1280x720, got \(visioResolution)")
        }
        (settings.width, settings.height) = (size[0], size[1])
        // Chromium's own ceiling for these sizes: 1.2 Mbit/s at 640×480, 2.5 at 1280×720.
        settings.videoKbps = size[0] * size[1] >= 1280 * 720 ? 2500 : 1200
        settings.allowLoopback = visioLoopback
        settings.stamps = visioStamps
        let devices = visioMedia == .devices || (visioMedia == .auto && FileManager.default.fileExists(atPath: "/dev/video0"))
        let patterns = ["ball": "ball", "zone-plate": "zone-plate kx2=20 ky2=20 kt=1"]
        guard let pattern = patterns[visioTestPattern] else {
            throw ValidationError("--visio-test-pattern: ball or zone-plate, not \(visioTestPattern)")
        }
        settings.sources = devices ? .devices() : .test(pattern: pattern)
        if let clip = visioTestVideo {
            let frame = size[0] * size[1] * 3 / 2
            let bytes = (try? FileManager.default.attributesOfItem(atPath: clip))?[.size] as? Int
            guard !devices, let bytes, bytes > 0, bytes % frame == 0, !clip.contains("\"") else {
                throw ValidationError("--visio-test-video: expected a file of raw I420 frames of \(visioResolution) (\(frame) bytes each), with --visio-media test; got \(clip)")
            }
            settings.sources = .recording(path: clip, width: size[0], height: size[1])
        }
        // The room's screen and speaker with its camera; without one (test sources) nothing to show on.
        settings.display = devices
        if !devices { logger.notice("visio: no camera here, the room sends GStreamer test sources (--visio-media)") }
        return settings
    }
}

enum VisioMedia: String, ExpressibleByArgument, CaseIterable {
    case auto, devices, test
}
