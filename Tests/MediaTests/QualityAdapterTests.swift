import Media
import Testing

struct QualityAdapterTests {
    static let clean = QualityAdapter.Report(loss: 0, roundTrip: 0.02)
    static let lossy = QualityAdapter.Report(loss: 0.25, roundTrip: 0.05)

    @Test func aCleanNetworkKeepsTheFullPicture() {
        var adapter = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        for _ in 0..<30 { _ = adapter.update(Self.clean) }
        #expect(adapter.quality == SendQuality(videoKbps: 1200, width: 640, height: 480, video: true))
    }

    @Test func congestionLowersTheBitrateThenTheResolutionThenTheVideo() {
        var adapter = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        var steps: [SendQuality] = []
        for _ in 0..<40 { steps.append(adapter.update(Self.lossy)) }
        let firstHalved = steps.firstIndex { $0.width == 320 }!
        let firstAudioOnly = steps.firstIndex { !$0.video }!
        // The bitrate falls at once, the picture only once the bitrate stayed too low, the video last.
        #expect(steps[0].videoKbps < 1200 && steps[0].width == 640)
        #expect(steps[firstHalved - 1].videoKbps < 300 && firstHalved < firstAudioOnly)
        #expect(steps[firstHalved].height == 240)
        #expect(steps.last?.video == false)
        #expect(steps.allSatisfy { $0.videoKbps >= 60 })
    }

    @Test func aModerateLossHoldsAndARecoveryClimbsBackUpStepByStep() {
        var adapter = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        let moderate = QualityAdapter.Report(loss: 0.05, roundTrip: 0.08)
        for _ in 0..<10 { _ = adapter.update(moderate) }
        #expect(adapter.quality.videoKbps == 1200)
        for _ in 0..<40 { _ = adapter.update(Self.lossy) }
        #expect(!adapter.quality.video)
        var steps: [SendQuality] = []
        for _ in 0..<120 { steps.append(adapter.update(Self.clean)) }
        let videoBack = steps.firstIndex { $0.video }!
        let fullBack = steps.firstIndex { $0.width == 640 }!
        #expect(steps[videoBack].width == 320 && videoBack < fullBack)
        #expect(steps.last == SendQuality(videoKbps: 1200, width: 640, height: 480, video: true))
    }

    @Test func aLongRoundTripAloneLowersTheBitrate() {
        var adapter = QualityAdapter(maxKbps: 1200, width: 640, height: 480)
        let slow = QualityAdapter.Report(loss: 0, roundTrip: 0.8)
        #expect(adapter.update(slow).videoKbps < 1200)
    }
}
