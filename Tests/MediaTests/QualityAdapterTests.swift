import Media
import Testing

/// The room's congestion controller, fed reports as the engine reads them once a second.
struct QualityAdapterTests {
    static let clean = QualityAdapter.Report(loss: 0, roundTrip: 0.02)
    static let lossy = QualityAdapter.Report(loss: 0.25, roundTrip: 0.05)

    @Test func aCleanNetworkKeepsTheFullPicture() {
        var adapter = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        for _ in 0..<30 { _ = adapter.update(Self.clean) }
        #expect(adapter.quality == SendQuality(videoKbps: 1200, width: 640, height: 480, video: true, reduced: false))
    }

    @Test func congestionLowersTheBitrateThenThePictureStepByStepThenTheVideo() {
        var adapter = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        var steps: [SendQuality] = []
        for _ in 0..<40 { steps.append(adapter.update(Self.lossy)) }
        let halved = steps.firstIndex { $0.width == 320 }!
        let quartered = steps.firstIndex { $0.width == 160 }!
        let audioOnly = steps.firstIndex { !$0.video }!
        // The bitrate falls at once, the picture only once the bitrate stayed too low, the video last.
        #expect(steps[0].videoKbps < 1200 && steps[0].width == 640)
        #expect(steps[halved].reduced && steps.last?.reduced == true)
        #expect(steps[halved - 1].videoKbps < 300 && halved < quartered && quartered < audioOnly)
        #expect(steps[halved].height == 240 && steps[quartered].height == 120)
        #expect(steps.last?.video == false)
        #expect(steps.allSatisfy { $0.videoKbps >= 25 })
    }

    /// The field test's case: the encoder produced ~125 kbit/s under a 150 kbit/s cap while its
    /// target said 1,200; cutting from the target changed nothing for 20 s. Cutting from what
    /// got through, the bitrate fits at once and the picture shrinks within seconds.
    @Test func theCutStartsFromWhatTheEncoderSentAndWhatGotThroughNotFromTheTarget() {
        var adapter = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        let capped = QualityAdapter.Report(loss: 0.15, roundTrip: 0.4, sentKbps: 125, receivedKbps: 150)
        let first = adapter.update(capped)
        #expect(first.videoKbps <= 90, "\(first)")  // 0.85 × 150 − 40 for the sound, then the cut
        var steps = [first]
        for _ in 0..<4 { steps.append(adapter.update(QualityAdapter.Report(loss: 0.05, roundTrip: 0.2, sentKbps: 85, receivedKbps: 140))) }
        #expect(steps.contains { $0.width < 640 && $0.video }, "\(steps)")
        #expect(steps.allSatisfy { $0.reduced })
    }

    /// A cap far below the rate: most packets lost, the far end receives ~120 kbit/s. The
    /// target and the picture go straight to what fits, in the first second.
    @Test func aSevereLossGoesStraightToWhatGotThroughAndThePictureThatFits() {
        var adapter = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        let first = adapter.update(QualityAdapter.Report(loss: 0.75, roundTrip: 0.36, sentKbps: 1200, receivedKbps: 119))
        #expect(first.videoKbps <= 65 && first.width == 160 && first.video, "\(first)")
        // A moderate loss still halves at most.
        var moderate = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        #expect(moderate.update(QualityAdapter.Report(loss: 0.2, roundTrip: 0.1, sentKbps: 1200, receivedKbps: 119)).videoKbps == 600)
    }

    @Test func aModerateLossHoldsAndARecoveryClimbsBackUpStepByStep() {
        var adapter = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        let moderate = QualityAdapter.Report(loss: 0.05, roundTrip: 0.08)
        for _ in 0..<10 { _ = adapter.update(moderate) }
        #expect(adapter.quality.videoKbps == 1200)
        for _ in 0..<40 { _ = adapter.update(Self.lossy) }
        #expect(!adapter.quality.video)
        var steps: [SendQuality] = []
        for _ in 0..<60 { steps.append(adapter.update(Self.clean)) }
        let videoBack = steps.firstIndex { $0.video }!
        let fullBack = steps.firstIndex { $0.width == 640 }!
        #expect(steps[videoBack].width == 160 && videoBack < fullBack)
        #expect(steps.last == SendQuality(videoKbps: 1200, width: 640, height: 480, video: true, reduced: false))
    }

    /// A cap lifted: from the small picture at ~90 kbit/s, the full picture is back within 10 s
    /// (the encoder following its target, as with a detailed picture).
    @Test func theFullPictureIsBackWithinTenSecondsOfTheNetworkFreeing() {
        var adapter = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        for _ in 0..<6 { _ = adapter.update(QualityAdapter.Report(loss: 0.15, roundTrip: 0.4, sentKbps: 125, receivedKbps: 150)) }
        #expect(adapter.quality.width < 640 && adapter.quality.video)
        var seconds = 0
        while adapter.quality.reduced && seconds < 30 {
            let sent = Double(adapter.quality.videoKbps)
            _ = adapter.update(QualityAdapter.Report(loss: 0, roundTrip: 0.02, sentKbps: sent, receivedKbps: sent + 40))
            seconds += 1
        }
        #expect(seconds <= 10, "full quality after \(seconds) s: \(adapter.quality)")
    }

    /// Under the cap, a target that climbs while the far end receives no more is no reason to
    /// step the picture up (it froze the picture for seconds in the field): the small picture
    /// stays until the network shows it carries the next one.
    @Test func underACapThePictureStepsUpOnlyOnWhatTheFarEndReceives() {
        var adapter = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        for _ in 0..<8 { _ = adapter.update(QualityAdapter.Report(loss: 0.15, roundTrip: 0.4, sentKbps: 125, receivedKbps: 150)) }
        let small = adapter.quality.width
        #expect(small < 640 && adapter.quality.video)
        for _ in 0..<30 {
            let sent = Double(adapter.quality.videoKbps)
            _ = adapter.update(QualityAdapter.Report(loss: 0, roundTrip: 0.02, sentKbps: sent, receivedKbps: min(sent + 40, 150)))
            #expect(adapter.quality.width == small, "\(adapter.quality)")
        }
        // A quiet picture (the encoder uses a fraction of its budget) between congestions a few
        // seconds apart, as under a cap: no gamble on a larger picture either.
        for second in 0..<30 {
            let congested = second % 4 == 0
            _ = adapter.update(QualityAdapter.Report(loss: congested ? 0.2 : 0, roundTrip: 0.02, sentKbps: 30, receivedKbps: congested ? 110 : 70))
            #expect(adapter.quality.width == small, "second \(second): \(adapter.quality)")
        }
        // Calm for a while (the cap lifted): the quiet picture gets its larger size back.
        var calm = 0
        while adapter.quality.width == small && calm < 15 {
            _ = adapter.update(QualityAdapter.Report(loss: 0, roundTrip: 0.02, sentKbps: 30, receivedKbps: 70))
            calm += 1
        }
        #expect(adapter.quality.width > small && calm <= 9, "\(calm) s: \(adapter.quality)")
    }

    /// A step up that meets congestion at once is undone in the same second, not after the
    /// bitrate has sunk for seconds below the larger picture's need.
    @Test func aStepUpThatMeetsCongestionIsUndoneAtOnce() {
        var adapter = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        _ = adapter.update(QualityAdapter.Report(loss: 0.75, roundTrip: 0.3, sentKbps: 1200, receivedKbps: 119))
        var seconds = 0
        while adapter.quality.width == 160 && seconds < 30 {
            let sent = Double(adapter.quality.videoKbps)
            _ = adapter.update(QualityAdapter.Report(loss: 0, roundTrip: 0.02, sentKbps: sent, receivedKbps: sent + 40))
            seconds += 1
        }
        #expect(adapter.quality.width == 320, "\(adapter.quality)")
        let after = adapter.update(QualityAdapter.Report(loss: 0.15, roundTrip: 0.02, sentKbps: 160, receivedKbps: 110))
        #expect(after.width == 160, "\(after)")
    }

    /// In audio only the round trip the engine reads is the picture's last one, frozen: it
    /// neither keeps the video off nor counts as congestion.
    @Test func aFrozenRoundTripDoesNotKeepTheVideoOff() {
        var adapter = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        for _ in 0..<40 { _ = adapter.update(Self.lossy) }
        #expect(!adapter.quality.video)
        var seconds = 0
        while !adapter.quality.video && seconds < 20 {
            _ = adapter.update(QualityAdapter.Report(loss: 0, roundTrip: 0.34, sentKbps: 0, receivedKbps: 14))
            seconds += 1
        }
        #expect(adapter.quality.video && seconds <= 7, "\(seconds) s: \(adapter.quality)")
    }

    @Test func aGrowingDelayAloneLowersTheBitrateAndAStillPictureKeepsTheTargetNearWhatItUses() {
        var adapter = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        for _ in 0..<3 { _ = adapter.update(QualityAdapter.Report(loss: 0, roundTrip: 0.03)) }
        // The queue fills: the round trip grows well past its floor before anything is lost,
        // second after second.
        #expect(adapter.update(QualityAdapter.Report(loss: 0, roundTrip: 0.35)).videoKbps == 1200)
        #expect(adapter.update(QualityAdapter.Report(loss: 0, roundTrip: 0.8)).videoKbps < 1200)
        #expect(adapter.update(QualityAdapter.Report(loss: 0, roundTrip: 0.9)).videoKbps < 1000)
        // One long round trip among short ones (a stale report on a free link) cuts nothing.
        var free = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        for roundTrip in [0.003, 0.003, 0.36, 0.003, 0.0, 0.36, 0.0, 0.003] {
            #expect(free.update(QualityAdapter.Report(loss: 0, roundTrip: roundTrip, sentKbps: 1200, receivedKbps: 1240)).videoKbps == 1200)
        }
        // A still picture needs ~100 kbit/s: the target stays within reach of it, full size.
        var still = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        for _ in 0..<10 { _ = still.update(QualityAdapter.Report(loss: 0, roundTrip: 0.02, sentKbps: 100)) }
        #expect(still.quality.videoKbps <= 450 && still.quality.width == 640 && !still.quality.reduced)
    }
    /// Transport-wide feedback, as read under the cap benchmark (2026-12-04): a filling queue
    /// cuts before anything is lost, a free link at full rate holds, and a stale long round trip
    /// in the receiver reports (0.149 s every second on a freed 1 ms link) stops nothing.
    @Test func theFarEndsTransportFeedbackShowsTheQueueBeforeTheLossAndOutranksAStaleRoundTrip() {
        var capped = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        for _ in 0..<3 { _ = capped.update(QualityAdapter.Report(loss: 0, roundTrip: 0.001, sentKbps: 1200, receivedKbps: 1217, departedKbps: 1216, delayGrowthMs: -0.002)) }
        #expect(capped.quality.videoKbps == 1200)
        let filling = capped.update(QualityAdapter.Report(loss: 0, roundTrip: 0.001, sentKbps: 124, receivedKbps: 110, departedKbps: 145, delayGrowthMs: 3.9))
        #expect(filling.videoKbps < 110, "\(filling)")
        // Spread out but not growing (a queue draining, a burst): not a queue filling.
        var draining = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        #expect(draining.update(QualityAdapter.Report(loss: 0, roundTrip: 0.001, sentKbps: 1200, receivedKbps: 1000, departedKbps: 1200, delayGrowthMs: -2.4)).videoKbps == 1200)
        var free = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        for (received, departed, growth) in [(1217.0, 1216.0, -0.002), (1150, 1151, 0.0007), (1164, 1218, -0.005), (1133, 1134, 0.0016)] {
            #expect(free.update(QualityAdapter.Report(loss: 0, roundTrip: 0.001, sentKbps: 1200, receivedKbps: received, departedKbps: departed, delayGrowthMs: growth)).videoKbps == 1200)
        }
        // After a severe cap, the freed link: the receiver reports' round trip stays at 0.149 s
        // while the feedback says nothing is queued. The picture comes back to full size.
        var freed = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        _ = freed.update(QualityAdapter.Report(loss: 0.8, roundTrip: 0.001, sentKbps: 1200, receivedKbps: 119, departedKbps: 978, delayGrowthMs: 7.2))
        #expect(freed.quality.width == 160)
        var seconds = 0
        while freed.quality.width < 640 && seconds < 30 {
            let sent = Double(freed.quality.videoKbps)
            _ = freed.update(QualityAdapter.Report(loss: 0, roundTrip: 0.149, sentKbps: sent, receivedKbps: sent + 40, departedKbps: sent + 40, delayGrowthMs: 0.01))
            seconds += 1
        }
        #expect(freed.quality.width == 640 && seconds <= 10, "\(seconds) s: \(freed.quality)")
    }
}
