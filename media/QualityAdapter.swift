/// What the room sends: the encoder's bitrate, the picture size, or no video at all.
public struct SendQuality: Sendable, Equatable {
    public var videoKbps: Int
    public var width: Int
    public var height: Int
    public var video: Bool

    public init(videoKbps: Int, width: Int, height: Int, video: Bool) {
        self.videoKbps = videoKbps
        self.width = width
        self.height = height
        self.video = video
    }
}

/// Adapts the room's sending to what the far end reports, once a second: the bitrate first
/// (multiplicative decrease on loss or a long round trip, slow increase when clean), then the
/// resolution (halved while the bitrate stays too low for it), then audio only, and back up
/// the same steps when the network recovers. Pure: the engine feeds it the statistics.
public struct QualityAdapter: Sendable {
    public struct Report: Sendable, Equatable {
        /// 0–1: of our packets, the share lost (TWCC when negotiated, else RTCP receiver reports).
        public var loss: Double
        /// Seconds.
        public var roundTrip: Double

        public init(loss: Double, roundTrip: Double) {
            self.loss = loss
            self.roundTrip = roundTrip
        }
    }

    public private(set) var quality: SendQuality
    let maxKbps: Int
    let fullWidth: Int
    let fullHeight: Int
    /// Below this the full picture is mush: halve it. Below `audioOnlyKbps` at half size: no video.
    static let minimumKbpsAtFullSize = 300
    static let audioOnlyKbps = 100
    static let lowestKbps = 60
    /// Consecutive seconds a condition must hold before a step in resolution or video.
    static let patience = 3
    private var lowFor = 0
    private var cleanFor = 0

    public init(maxKbps: Int, width: Int, height: Int) {
        self.maxKbps = maxKbps
        fullWidth = width
        fullHeight = height
        quality = SendQuality(videoKbps: maxKbps, width: width, height: height, video: true)
    }

    var halved: Bool { quality.width < fullWidth }

    /// The new quality after one second's report; unchanged when nothing needs to move.
    public mutating func update(_ report: Report) -> SendQuality {
        let congested = report.loss > 0.10 || report.roundTrip > 0.5
        let clean = report.loss < 0.02 && report.roundTrip < 0.3
        if congested {
            cleanFor = 0
            let factor = max(0.5, 1 - 0.5 * report.loss) * (report.roundTrip > 0.5 ? 0.85 : 1)
            quality.videoKbps = max(Self.lowestKbps, Int(Double(quality.videoKbps) * min(factor, 0.9)))
        } else if clean {
            cleanFor += 1
            if quality.video { quality.videoKbps = min(maxKbps, Int(Double(quality.videoKbps) * 1.08) + 10) }
        } else {
            cleanFor = 0
        }
        let floor = halved ? Self.audioOnlyKbps : Self.minimumKbpsAtFullSize
        lowFor = quality.video && quality.videoKbps < floor ? lowFor + 1 : 0
        if lowFor >= Self.patience {
            lowFor = 0
            if halved {
                quality.video = false
            } else {
                quality.width = even(fullWidth / 2)
                quality.height = even(fullHeight / 2)
            }
        } else if !quality.video, cleanFor >= Self.patience * 3 {
            // Audio held clean for a while: try the small picture again, gently.
            cleanFor = 0
            quality.video = true
            quality.videoKbps = Self.audioOnlyKbps + 50
        } else if quality.video, halved, quality.videoKbps > Self.minimumKbpsAtFullSize + 100, cleanFor >= Self.patience {
            quality.width = fullWidth
            quality.height = fullHeight
        }
        return quality
    }

    private func even(_ value: Int) -> Int { max(2, value & ~1) }
}
