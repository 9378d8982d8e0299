#ifndef GUICHET_GST_SHIM_H
#define GUICHET_GST_SHIM_H

#include <gst/gst.h>

/* What webrtcbin tells the engine. Everything arrives on GStreamer's or libnice's threads. */
typedef enum {
    GUICHET_EVENT_NEGOTIATION_NEEDED = 1,
    GUICHET_EVENT_ICE_CANDIDATE = 2,      /* mline, text = candidate */
    GUICHET_EVENT_LOCAL_DESCRIPTION = 3,  /* text = SDP (offer or answer), already set locally */
    GUICHET_EVENT_ICE_STATE = 4,          /* text = new, checking, connected, completed, failed, disconnected, closed */
    GUICHET_EVENT_REMOTE_MEDIA = 5,       /* text = "video" or "audio": a decoded remote stream reached its sink */
    GUICHET_EVENT_ERROR = 6,              /* text = what failed */
    GUICHET_EVENT_DATA = 7                /* text = a chat message received */
} GuichetEvent;

typedef void (*guichet_event_cb)(void *context, int event, unsigned mline, const char *text);

/* Connects webrtcbin's signals to `callback`. Remote streams are decoded, counted in
 * `video_frames` / `audio_buffers`, and played on the room's screen and speaker when
 * `display` (autovideosink, autoaudiosink), else dropped (fakesinks: tests, no display). */
void guichet_webrtc_watch(GstElement *pipeline, GstElement *webrtc, guichet_event_cb callback, void *context,
                          volatile gint64 *video_frames, volatile gint64 *audio_buffers, int display);

/* Creates an offer (or an answer), sets it as the local description, then reports it. */
void guichet_webrtc_create(GstElement *webrtc, int answer);

/* Parses and validates `sdp` before webrtcbin sees it; 0 when set, -1 when refused. */
int guichet_webrtc_set_remote(GstElement *webrtc, int answer, const char *sdp);

void guichet_webrtc_add_candidate(GstElement *webrtc, unsigned mline, const char *candidate);

/* Lets libnice gather candidates on 127.0.0.1 (tests on loopback only). */
int guichet_webrtc_allow_loopback(GstElement *webrtc);

/* The chat channel: created by the offerer before the offer; the answerer receives it. */
void guichet_webrtc_create_chat(GstElement *webrtc);
int guichet_webrtc_send_chat(GstElement *webrtc, const char *text);

/* What the far end's reports say about our sending. */
typedef struct {
    int have_remote;          /* a receiver report about our video arrived */
    double fraction_lost;     /* 0–1, from RTCP */
    double round_trip_time;   /* seconds, from RTCP */
    int have_twcc;            /* transport-wide congestion control is negotiated and reporting */
    double twcc_loss_pct;     /* 0–100 */
    double twcc_bitrate_sent; /* bit/s */
    double twcc_bitrate_recv; /* bit/s, as the far end received */
} GuichetSendStats;

/* Reads webrtcbin's statistics (blocks until they are gathered: not for streaming threads). */
int guichet_webrtc_send_stats(GstElement *webrtc, GuichetSendStats *out);

/* Benchmark only: stamps the wall-clock time into each raw frame entering `element`, and
 * reads the stamps of the remote video (latencies in ms since the last call, up to `max`;
 * the first call switches reading on). */
int guichet_stamp_outgoing(GstElement *element);
int guichet_stamp_latencies(GstElement *webrtc, double *out, int max);

/* The call stops: a statistics request in flight is interrupted, none is started again. */
void guichet_webrtc_stopping(GstElement *webrtc);

/* An integer property (g_object_get is variadic). */
int guichet_get_int(GstElement *element, const char *property);

#endif
