import Agenda
import Testing

/// Which codec the room sends: the structure's choice, the browser's order, VP8 by default.
struct VideoCodecTests {
    @Test func theStructuresChoiceHoldsUnlessTheBrowserCannotDecodeIt() {
        let chromium = ["video/VP8", "video/VP9", "video/H264", "video/AV1"]
        let safari = ["video/H264", "video/VP8"]
        #expect(VideoCodecChoice.auto.codec(browserPrefers: chromium) == .vp8)
        #expect(VideoCodecChoice.auto.codec(browserPrefers: safari) == .h264)
        #expect(VideoCodecChoice.auto.codec(browserPrefers: ["video/AV1", "video/H264"]) == .h264)
        #expect(VideoCodecChoice.auto.codec(browserPrefers: []) == .vp8)
        #expect(VideoCodecChoice.h264.codec(browserPrefers: chromium) == .h264)
        #expect(VideoCodecChoice.h264.codec(browserPrefers: []) == .h264)
        #expect(VideoCodecChoice.h264.codec(browserPrefers: ["video/VP8", "video/VP9"]) == .vp8)
        #expect(VideoCodecChoice.vp8.codec(browserPrefers: safari) == .vp8)
        #expect(VideoCodec.h264.preset == "h264-opus" && VideoCodec(webRTCName: "h264") == .h264 && VideoCodec(webRTCName: "video/rtx") == nil)
    }
}
