/// What the room sends: the encoder's bitrate, the picture size, or no video at all.
public struct SendQuality: Sendable, Equatable {
    public var videoKbps: Int
    public var width: Int
    public var height: Int
    public var video: Bool
    /// Below what the room sends on a good network (smaller picture, no video, or a bitrate
    /// too low for the full picture): the console's weak-network notice shows while it is.
    public var reduced: Bool

    public init(videoKbps: Int, width: Int, height: Int, video: Bool, reduced: Bool = false) {
        self.videoKbps = videoKbps
        self.width = width
        self.height = height
        self.video = video
        self.reduced = reduced
    }
}

/// Adapts the room's sending to what the far end reports, once a second — a congestion
/// controller in the manner of a browser's (GCC): on loss or a growing delay the target drops
/// below what really got through (the far end's received rate, and never above what the
/// encoder really produced, whatever its old target said); on a clean network it climbs, fast
/// while far below the rate where congestion last struck and slowly near it, which it forgets
/// after a few clean seconds (the network may have been freed). The picture follows the
/// target down a ladder (full, half, quarter size, then audio only) and back up. Pure: the
/// engine feeds it the statistics.
public struct QualityAdapter: Sendable {
    public struct Report: Sendable, Equatable {
        /// 0–1: of our packets, the share lost (TWCC when negotiated, else RTCP receiver reports).
        public var loss: Double
        /// Seconds.
        public var roundTrip: Double
        /// kbit/s the video encoder really produced over the last second (nil: unknown).
        public var sentKbps: Double?
        /// kbit/s the far end received over the last second, every stream (TWCC; nil: unknown).
        public var receivedKbps: Double?
        /// kbit/s those same packets left at (TWCC; nil: unknown): above `receivedKbps`, a queue
        /// on the way is spreading them out.
        public var departedKbps: Double?
        /// Milliseconds: TWCC's mean growth of the packets' spacing on the way (nil: unknown).
        public var delayGrowthMs: Double?

        public init(loss: Double, roundTrip: Double, sentKbps: Double? = nil, receivedKbps: Double? = nil, departedKbps: Double? = nil, delayGrowthMs: Double? = nil) {
            self.loss = loss
            self.roundTrip = roundTrip
            self.sentKbps = sentKbps
            self.receivedKbps = receivedKbps
            self.departedKbps = departedKbps
            self.delayGrowthMs = delayGrowthMs
        }
    }

    public private(set) var quality: SendQuality
    let maxKbps: Int
    let fullWidth: Int
    let fullHeight: Int

    /// The picture's steps: the divisor of the full size, and the video bitrate it needs.
    static let ladder: [(divisor: Int, minimumKbps: Int)] = [(1, 300), (2, 110), (4, 30)]
    static let lowestKbps = 25
    /// The sound's share of what the far end receives (Opus 32 kbit/s and its packets' headers).
    static let audioKbps = 40.0
    static let downPatience = 2
    /// A loss above this: the network carries far less than was sent (a cap, a saturated link).
    static let severeLoss = 0.5
    /// Seconds well above the next step before trying it; doubled (up to `longestUpPatience`)
    /// each time a step up met congestion at once, reset when one holds.
    static let upPatience = 2
    static let longestUpPatience = 8
    /// Seconds in audio only: the bitrate stayed below the smallest picture's need this long.
    static let audioOnlyPatience = 4
    /// Clean seconds after which the rate where congestion struck is forgotten.
    static let forgetAfter = 3
    /// Clean seconds in audio only before the smallest picture is tried again.
    static let retryVideoAfter = 6

    private var step = 0
    private var lowFor = 0
    private var highFor = 0
    private var cleanFor = 0
    /// Seconds since the last congested second.
    private var sinceCongestion = 0
    private var congestedAt: Double?
    private var baseRoundTrip: Double?
    private var patienceUp = upPatience
    /// Seconds since the picture last stepped up (a congestion soon after means it was too much).
    private var sinceStepUp: Int?
    /// The last step up met congestion: undone at once.
    private var stepBack = false
    /// The last second's round trip was long too.
    private var longRoundTripBefore = false

    public init(maxKbps: Int, width: Int, height: Int) {
        self.maxKbps = maxKbps
        fullWidth = width
        fullHeight = height
        quality = SendQuality(videoKbps: maxKbps, width: width, height: height, video: true)
    }

    /// The steps this picture size has (no quarter picture below 160 pixels wide).
    private var steps: Int { fullWidth / 4 >= 160 ? Self.ladder.count : 2 }

    /// The new quality after one second's report; unchanged when nothing needs to move.
    public mutating func update(_ report: Report) -> SendQuality {
        // With transport-wide feedback the queue is read from it (below), not from the receiver
        // reports' round trip: that one goes stale — after a cap it read 0.149 s second after
        // second for a minute on a freed 1 ms link, and kept the picture small for good.
        // Without it, the round trip is the far end's reports on the picture: with the video off
        // it is the last one, frozen (a full queue's 0.34 s kept the video off in the field).
        let queueing = Self.queueing(report)
        let roundTrip = quality.video && report.departedKbps == nil ? report.roundTrip : 0
        if roundTrip > 0 { baseRoundTrip = min(baseRoundTrip ?? roundTrip, roundTrip) }
        let base = baseRoundTrip ?? 0
        // 5 %: without retransmission here (webrtcbin 1.22 offers no RTX), each lost packet of
        // the picture costs a key frame round; a browser, which retransmits, holds up to 10 %.
        // A long round trip is congestion once two seconds in a row say so: on a free link the
        // far end's reports now and then gave one 0.36 s round trip among 3 ms ones (every
        // ~10 s after a cap was lifted), and each cost a cut and seconds of smaller picture.
        let longRoundTrip = roundTrip > 0.5 || (roundTrip > 0 && roundTrip > base + 0.25)
        defer { longRoundTripBefore = longRoundTrip }
        let congested = report.loss > 0.05 || queueing || (longRoundTrip && longRoundTripBefore)
        let clean = report.loss < 0.02 && !queueing && roundTrip < 0.3 && roundTrip <= base + 0.1
        var target = Double(quality.videoKbps)
        sinceCongestion = congested ? 0 : sinceCongestion + 1
        if congested {
            cleanFor = 0
            // Never cut from a target the encoder was not using, nor above what got through.
            var basis = target
            if let sent = report.sentKbps, sent > 0, quality.video { basis = min(basis, sent) }
            if let received = report.receivedKbps, received > 0 {
                // What got through, less the sound, with room for the queue to drain; at most
                // halved in a second (the first second of a congestion under-reads the rate),
                // unless most of what was sent was lost: then what got through is the measure,
                // and every second spent above it is a second of frozen picture.
                let floor = report.loss > Self.severeLoss ? 0 : basis * 0.5
                target = min(basis, max(floor, received * 0.85 - Self.audioKbps))
            } else {
                target = basis * (report.loss > 0.10 ? max(0.5, 1 - 0.5 * report.loss) : 0.85)
            }
            congestedAt = max(basis, Double(Self.lowestKbps))
            if let since = sinceStepUp, since <= 3 {
                // The last step up was too much for the network: back down at once (every second
                // at the larger picture is a second of frozen video), and wait longer next time.
                patienceUp = min(Self.longestUpPatience, patienceUp * 2)
                sinceStepUp = nil
                stepBack = true
            }
        } else if clean, quality.video {
            cleanFor += 1
            if cleanFor >= Self.forgetAfter { congestedAt = nil }
            let near = congestedAt.map { target >= 0.9 * $0 } ?? false
            target = target * (near ? 1.1 : 1.4) + 5
            // Not far above what the encoder produces: a still picture needs little, and a
            // target it never used would be cut from in vain at the next congestion. (While
            // no congestion is remembered the picture keeps its size whatever this says.)
            if let sent = report.sentKbps, sent > 0, quality.video { target = min(target, max(sent * 1.5 + 50, Double(Self.ladder[max(0, step - 1)].minimumKbps) * 1.4)) }
        } else if clean {
            cleanFor += 1  // audio only: the bitrate waits for the video to come back
        } else {
            cleanFor = 0
        }
        sinceStepUp = sinceStepUp.map { $0 + 1 }
        if let since = sinceStepUp, since > 3 {
            patienceUp = Self.upPatience  // the step held
            sinceStepUp = nil
        }
        quality.videoKbps = max(Self.lowestKbps, min(maxKbps, Int(target)))
        place(clean: clean, report: report)
        quality.reduced = !quality.video || step > 0 || quality.videoKbps < Self.ladder[0].minimumKbps
        return quality
    }

    /// Moves the picture down the ladder when the target stayed below its step's need, up when
    /// it stayed well above the next one's and the network showed it can carry it, and tries
    /// video again after a clean while.
    private mutating func place(clean: Bool, report: Report) {
        if !quality.video {
            guard clean, cleanFor >= Self.retryVideoAfter else { return }
            quality.video = true
            quality.videoKbps = Self.ladder[step].minimumKbps + 15
            cleanFor = 0
            return
        }
        if stepBack {
            stepBack = false
            if step + 1 < steps {
                step += 1
                lowFor = 0
                highFor = 0
            }
        }
        // Far below this step's need after a congestion: straight to the step that fits (each
        // second at a picture too large for the rate is a second of frozen or smeared video).
        if congestedAt != nil, quality.videoKbps * 2 < Self.ladder[step].minimumKbps, step + 1 < steps {
            step = (step + 1..<steps).first { Self.ladder[$0].minimumKbps <= quality.videoKbps } ?? steps - 1
            lowFor = 0
        }
        // Down only for a bitrate the network imposed, not one that follows a still picture.
        // The smallest picture gives way to the sound only while the network keeps refusing it
        // (congested second after second), not for a target merely held low by a slow queue.
        let last = step + 1 == steps
        let pressed = last ? sinceCongestion == 0 : true
        lowFor = quality.videoKbps < Self.ladder[step].minimumKbps && congestedAt != nil && pressed ? lowFor + 1 : 0
        highFor = step > 0 && clean && quality.videoKbps >= Self.ladder[step - 1].minimumKbps * 13 / 10 && carries(step - 1, report) ? highFor + 1 : 0
        if lowFor >= (last ? Self.audioOnlyPatience : Self.downPatience) {
            lowFor = 0
            if last {
                quality.video = false
            } else {
                step += 1
            }
        } else if highFor >= (proven(step - 1, report) ? 1 : sinceCongestion >= Self.calmResetsPatience ? Self.upPatience : patienceUp) {
            highFor = 0
            step -= 1
            sinceStepUp = 0
        }
        let divisor = Self.ladder[step].divisor
        quality.width = even(fullWidth / divisor)
        quality.height = even(fullHeight / divisor)
    }

    /// Whether the last second showed the network carrying what a step needs: the far end
    /// received that much video (a target that only climbed, the encoder producing less under a
    /// cap, proves nothing — a step up on it froze the picture for seconds under a 150 kbit/s
    /// cap), or the encoder is not even using its budget (a quiet picture) and the network has
    /// been calm a while (under a cap, congestion came back every 2–5 s). Without reports, the
    /// target alone decides.
    private func carries(_ step: Int, _ report: Report) -> Bool {
        guard report.receivedKbps != nil else { return true }
        if proven(step, report) { return true }
        if let sent = report.sentKbps, sent < 0.7 * Double(quality.videoKbps), sinceCongestion >= Self.calmBeforeGamble { return true }
        return false
    }

    /// The far end received, this second, the video the step needs (with a margin): the step
    /// up needs no more patience.
    private func proven(_ step: Int, _ report: Report) -> Bool {
        guard step >= 0, let received = report.receivedKbps else { return false }
        return received - Self.audioKbps >= Double(Self.ladder[step].minimumKbps) * 1.2
    }

    /// A queue fills on the way, by the far end's transport-wide feedback: the packets reached
    /// it spread out (received over a tenth below the rate they left at, the same packets) while
    /// their spacing kept growing. Under a 150 kbit/s cap this showed a second or two before the
    /// first loss (left 145, received 110, +3.9 ms); a free link stayed within 5 % and ±0.1 ms.
    static func queueing(_ report: Report) -> Bool {
        guard let departed = report.departedKbps, departed > 0, let received = report.receivedKbps else { return false }
        return departed - received > 0.1 * departed && (report.delayGrowthMs ?? 0) > 0.5
    }

    /// Calm seconds before the picture steps up on a quiet picture's word alone.
    static let calmBeforeGamble = 4
    /// Calm seconds after which a patience lengthened by failed steps up is back to its start
    /// (the network was freed: the picture comes back as fast as after a first congestion).
    static let calmResetsPatience = 6

    private func even(_ value: Int) -> Int { max(2, value & ~1) }
}
