/* webrtcbin's library is marked unstable by gst-plugins-bad; its 1.22 API is what Debian 12 ships. */
#define GST_USE_UNSTABLE_API 1
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
