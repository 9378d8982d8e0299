/* The part of the media engine Swift cannot write: variadic GObject calls (signal
 * emission, g_object_get, gst_structure_get) and the signal handlers whose C signatures
 * differ. Everything else is in Swift (media/). */
#include "gst_shim.h"

#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>
#include <nice/agent.h>
#include <string.h>

typedef struct {
    guichet_event_cb callback;
    void *context;
    GstElement *pipeline;
    volatile gint64 *video;
    volatile gint64 *audio;
    GstWebRTCDataChannel *chat;
    GMutex lock;
    /* Glass-to-glass measurement (benchmark only): latencies read from stamped frames, ms. */
    gboolean read_stamps;
    gboolean display;
    GstPromise *pending_stats; /* interrupted when the call stops, so no one waits forever */
    gboolean stopping;
    double latencies[4096];
    int latency_count;
} Watch;

static Watch *watch_of(GstElement *webrtc) { return g_object_get_data(G_OBJECT(webrtc), "guichet-watch"); }

static void emit(Watch *w, int event, unsigned mline, const char *text) {
    if (w && w->callback) w->callback(w->context, event, mline, text);
}

static void free_watch(gpointer data) {
    Watch *w = data;
    if (w->chat) g_object_unref(w->chat);
    g_mutex_clear(&w->lock);
    g_free(w);
}

static void on_negotiation_needed(GstElement *webrtc, gpointer data) { emit(data, GUICHET_EVENT_NEGOTIATION_NEEDED, 0, NULL); }

static void on_ice_candidate(GstElement *webrtc, guint mline, gchar *candidate, gpointer data) {
    emit(data, GUICHET_EVENT_ICE_CANDIDATE, mline, candidate);
}

static void on_ice_state(GObject *webrtc, GParamSpec *spec, gpointer data) {
    GstWebRTCICEConnectionState state;
    g_object_get(webrtc, "ice-connection-state", &state, NULL);
    static const char *names[] = {"new", "checking", "connected", "completed", "failed", "disconnected", "closed"};
    emit(data, GUICHET_EVENT_ICE_STATE, 0, state < 7 ? names[state] : "unknown");
}

/* A decoded remote stream: count what reaches the sink; say so at the first one. */
/* A wall-clock stamp in the picture, for the benchmark's glass-to-glass latency: the low 32
 * bits of the time in ms as 32 blocks of 16x16 pixels along the top row, white for 1, black
 * for 0 (chroma neutral), read back by the receiver (here, or the browser's canvas). */
#define STAMP_BITS 32
#define STAMP_BLOCK 16

static guint32 now_ms(void) { return (guint32)((guint64)g_get_real_time() / 1000); }

static GstPadProbeReturn on_raw_frame(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    GstCaps *caps = gst_pad_get_current_caps(pad);
    if (!caps) return GST_PAD_PROBE_OK;
    GstVideoInfo vinfo;
    gboolean ok = gst_video_info_from_caps(&vinfo, caps);
    gst_caps_unref(caps);
    if (!ok || GST_VIDEO_INFO_FORMAT(&vinfo) != GST_VIDEO_FORMAT_I420 || GST_VIDEO_INFO_WIDTH(&vinfo) < STAMP_BITS * STAMP_BLOCK) return GST_PAD_PROBE_OK;
    GstBuffer *buffer = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    GstVideoFrame frame;
    if (!gst_video_frame_map(&frame, &vinfo, buffer, GST_MAP_WRITE)) return GST_PAD_PROBE_OK;
    guint32 stamp = now_ms();
    for (int bit = 0; bit < STAMP_BITS; bit++) {
        guint8 luma = (stamp >> (STAMP_BITS - 1 - bit)) & 1 ? 235 : 16;
        for (int y = 0; y < STAMP_BLOCK; y++) {
            guint8 *row = (guint8 *)GST_VIDEO_FRAME_PLANE_DATA(&frame, 0) + y * GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0);
            memset(row + bit * STAMP_BLOCK, luma, STAMP_BLOCK);
        }
        for (int plane = 1; plane <= 2; plane++)
            for (int y = 0; y < STAMP_BLOCK / 2; y++) {
                guint8 *row = (guint8 *)GST_VIDEO_FRAME_PLANE_DATA(&frame, plane) + y * GST_VIDEO_FRAME_PLANE_STRIDE(&frame, plane);
                memset(row + bit * STAMP_BLOCK / 2, 128, STAMP_BLOCK / 2);
            }
    }
    gst_video_frame_unmap(&frame);
    return GST_PAD_PROBE_OK;
}

int guichet_stamp_outgoing(GstElement *element) {
    GstPad *pad = gst_element_get_static_pad(element, "sink");
    if (!pad) return -1;
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_raw_frame, NULL, NULL);
    gst_object_unref(pad);
    return 0;
}

static void read_stamp(Watch *w, GstBuffer *buffer, GstPad *pad) {
    GstCaps *caps = gst_pad_get_current_caps(pad);
    if (!caps) return;
    GstVideoInfo vinfo;
    gboolean ok = gst_video_info_from_caps(&vinfo, caps);
    gst_caps_unref(caps);
    if (!ok || GST_VIDEO_INFO_WIDTH(&vinfo) < STAMP_BITS * STAMP_BLOCK) return;
    GstVideoFrame frame;
    if (!gst_video_frame_map(&frame, &vinfo, buffer, GST_MAP_READ)) return;
    guint32 stamp = 0;
    for (int bit = 0; bit < STAMP_BITS; bit++) {
        int sum = 0;
        for (int y = 6; y < 10; y++) {
            const guint8 *row = (const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(&frame, 0) + y * GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0);
            for (int x = 6; x < 10; x++) sum += row[bit * STAMP_BLOCK + x];
        }
        stamp = (stamp << 1) | (sum / 16 > 128 ? 1 : 0);
    }
    gst_video_frame_unmap(&frame);
    guint32 latency = now_ms() - stamp;
    if (latency > 5000) return; /* not a stamped frame */
    g_mutex_lock(&w->lock);
    if (w->latency_count < 4096) w->latencies[w->latency_count++] = latency;
    g_mutex_unlock(&w->lock);
}

int guichet_stamp_latencies(GstElement *webrtc, double *out, int max) {
    Watch *w = watch_of(webrtc);
    if (!w) return 0;
    g_mutex_lock(&w->lock);
    w->read_stamps = TRUE;
    int count = w->latency_count < max ? w->latency_count : max;
    memcpy(out, w->latencies, count * sizeof(double));
    w->latency_count = 0;
    g_mutex_unlock(&w->lock);
    return count;
}

/* Counts what reaches the room's screen or speaker, says so at the first buffer, and (benchmark
 * only) reads the pictures' stamps. */
static GstPadProbeReturn on_remote_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer data) {
    Watch *w = data;
    gboolean video = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(pad), "guichet-video"));
    volatile gint64 *counter = video ? w->video : w->audio;
    if (__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED) == 0) emit(w, GUICHET_EVENT_REMOTE_MEDIA, 0, video ? "video" : "audio");
    if (video && w->read_stamps) read_stamp(w, GST_PAD_PROBE_INFO_BUFFER(info), pad);
    return GST_PAD_PROBE_OK;
}

/* The room's screen and speaker, or counting sinks (tests, benchmark, no display). */
static GstElement *remote_output(gboolean video, gboolean display) {
    GError *error = NULL;
    const char *description = !display ? "queue ! fakesink sync=false async=false"
                              : video  ? "queue ! videoconvert ! autovideosink sync=true"
                                       : "queue ! audioconvert ! audioresample ! autoaudiosink sync=true";
    GstElement *bin = gst_parse_bin_from_description(description, TRUE, &error);
    if (error) g_error_free(error);
    return bin;
}

static void on_decoded_pad(GstElement *decodebin, GstPad *pad, gpointer data) {
    Watch *w = data;
    GstCaps *caps = gst_pad_get_current_caps(pad);
    if (!caps) caps = gst_pad_query_caps(pad, NULL);
    const gchar *name = gst_structure_get_name(gst_caps_get_structure(caps, 0));
    gboolean video = g_str_has_prefix(name, "video/");
    gboolean audio = g_str_has_prefix(name, "audio/");
    gst_caps_unref(caps);
    if (!video && !audio) return;
    GstElement *output = remote_output(video, w->display);
    if (!output) {
        emit(w, GUICHET_EVENT_ERROR, 0, video ? "no screen for the remote picture" : "no speaker for the remote sound");
        return;
    }
    gst_bin_add(GST_BIN(w->pipeline), output);
    gst_element_sync_state_with_parent(output);
    GstPad *target = gst_element_get_static_pad(output, "sink");
    g_object_set_data(G_OBJECT(target), "guichet-video", GINT_TO_POINTER(video));
    gst_pad_add_probe(target, GST_PAD_PROBE_TYPE_BUFFER, on_remote_buffer, w, NULL);
    if (gst_pad_link(pad, target) != GST_PAD_LINK_OK) emit(w, GUICHET_EVENT_ERROR, 0, "cannot link a decoded remote stream");
    gst_object_unref(target);
}

static void on_remote_pad(GstElement *webrtc, GstPad *pad, gpointer data) {
    Watch *w = data;
    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
    GstElement *decodebin = gst_element_factory_make("decodebin", NULL);
    g_signal_connect(decodebin, "pad-added", G_CALLBACK(on_decoded_pad), w);
    gst_bin_add(GST_BIN(w->pipeline), decodebin);
    gst_element_sync_state_with_parent(decodebin);
    GstPad *sink = gst_element_get_static_pad(decodebin, "sink");
    if (gst_pad_link(pad, sink) != GST_PAD_LINK_OK) emit(w, GUICHET_EVENT_ERROR, 0, "cannot link a remote stream");
    gst_object_unref(sink);
}

static void on_chat_message(GstWebRTCDataChannel *channel, gchar *text, gpointer data) { emit(data, GUICHET_EVENT_DATA, 0, text); }

static void on_data_channel(GstElement *webrtc, GstWebRTCDataChannel *channel, gpointer data) {
    Watch *w = data;
    g_mutex_lock(&w->lock);
    if (!w->chat) w->chat = g_object_ref(channel);
    g_mutex_unlock(&w->lock);
    g_signal_connect(channel, "on-message-string", G_CALLBACK(on_chat_message), w);
}

void guichet_webrtc_watch(GstElement *pipeline, GstElement *webrtc, guichet_event_cb callback, void *context,
                          volatile gint64 *video_frames, volatile gint64 *audio_buffers, int display) {
    Watch *w = g_new0(Watch, 1);
    w->display = display;
    w->callback = callback;
    w->context = context;
    w->pipeline = pipeline;
    w->video = video_frames;
    w->audio = audio_buffers;
    g_mutex_init(&w->lock);
    g_object_set_data_full(G_OBJECT(webrtc), "guichet-watch", w, free_watch);
    g_signal_connect(webrtc, "on-negotiation-needed", G_CALLBACK(on_negotiation_needed), w);
    g_signal_connect(webrtc, "on-ice-candidate", G_CALLBACK(on_ice_candidate), w);
    g_signal_connect(webrtc, "notify::ice-connection-state", G_CALLBACK(on_ice_state), w);
    g_signal_connect(webrtc, "pad-added", G_CALLBACK(on_remote_pad), w);
    g_signal_connect(webrtc, "on-data-channel", G_CALLBACK(on_data_channel), w);
}

static void on_description_created(GstPromise *promise, gpointer data) {
    GstElement *webrtc = data;
    Watch *w = watch_of(webrtc);
    GstWebRTCSessionDescription *description = NULL;
    const GstStructure *reply = gst_promise_get_reply(promise);
    if (reply && gst_structure_has_field(reply, "offer"))
        gst_structure_get(reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &description, NULL);
    else if (reply && gst_structure_has_field(reply, "answer"))
        gst_structure_get(reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &description, NULL);
    gst_promise_unref(promise);
    if (!description) {
        emit(w, GUICHET_EVENT_ERROR, 0, "webrtcbin created no description");
        gst_object_unref(webrtc);
        return;
    }
    GstPromise *set = gst_promise_new();
    g_signal_emit_by_name(webrtc, "set-local-description", description, set);
    gst_promise_interrupt(set);
    gst_promise_unref(set);
    gchar *text = gst_sdp_message_as_text(description->sdp);
    emit(w, GUICHET_EVENT_LOCAL_DESCRIPTION, 0, text);
    g_free(text);
    gst_webrtc_session_description_free(description);
    gst_object_unref(webrtc);
}

void guichet_webrtc_create(GstElement *webrtc, int answer) {
    GstPromise *promise = gst_promise_new_with_change_func(on_description_created, gst_object_ref(webrtc), NULL);
    g_signal_emit_by_name(webrtc, answer ? "create-answer" : "create-offer", NULL, promise);
}

int guichet_webrtc_set_remote(GstElement *webrtc, int answer, const char *sdp) {
    GstSDPMessage *message = NULL;
    if (!sdp || gst_sdp_message_new_from_text(sdp, &message) != GST_SDP_OK) return -1;
    /* webrtcbin 1.22 may crash on some invalid descriptions: refuse what cannot be a call. */
    guint medias = gst_sdp_message_medias_len(message);
    gboolean session_ufrag = gst_sdp_message_get_attribute_val(message, "ice-ufrag") != NULL;
    gboolean valid = medias > 0 && medias <= 8;
    for (guint i = 0; valid && i < medias; i++) {
        const GstSDPMedia *media = gst_sdp_message_get_media(message, i);
        const gchar *kind = gst_sdp_media_get_media(media);
        valid = kind && (!strcmp(kind, "audio") || !strcmp(kind, "video") || !strcmp(kind, "application"))
            && gst_sdp_media_formats_len(media) > 0
            && (session_ufrag || gst_sdp_media_get_attribute_val(media, "ice-ufrag") != NULL);
    }
    if (!valid) {
        gst_sdp_message_free(message);
        return -1;
    }
    GstWebRTCSessionDescription *description =
        gst_webrtc_session_description_new(answer ? GST_WEBRTC_SDP_TYPE_ANSWER : GST_WEBRTC_SDP_TYPE_OFFER, message);
    GstPromise *promise = gst_promise_new();
    g_signal_emit_by_name(webrtc, "set-remote-description", description, promise);
    gst_promise_wait(promise);
    const GstStructure *reply = gst_promise_get_reply(promise);
    int refused = reply && gst_structure_has_field(reply, "error");
    gst_promise_unref(promise);
    gst_webrtc_session_description_free(description);
    return refused ? -1 : 0;
}

void guichet_webrtc_add_candidate(GstElement *webrtc, unsigned mline, const char *candidate) {
    g_signal_emit_by_name(webrtc, "add-ice-candidate", mline, candidate);
}

int guichet_webrtc_allow_loopback(GstElement *webrtc) {
    GObject *ice = NULL;
    NiceAgent *agent = NULL;
    g_object_get(webrtc, "ice-agent", &ice, NULL);
    if (!ice) return -1;
    g_object_get(ice, "agent", &agent, NULL);
    g_object_unref(ice);
    if (!agent) return -1;
    NiceAddress address;
    nice_address_init(&address);
    int ok = nice_address_set_from_string(&address, "127.0.0.1") && nice_agent_add_local_address(agent, &address);
    g_object_unref(agent);
    return ok ? 0 : -1;
}

void guichet_webrtc_create_chat(GstElement *webrtc) {
    Watch *w = watch_of(webrtc);
    GstWebRTCDataChannel *channel = NULL;
    g_signal_emit_by_name(webrtc, "create-data-channel", "chat", NULL, &channel);
    if (!channel) return;
    g_signal_connect(channel, "on-message-string", G_CALLBACK(on_chat_message), w);
    g_mutex_lock(&w->lock);
    if (w->chat) g_object_unref(w->chat);
    w->chat = channel;
    g_mutex_unlock(&w->lock);
}

int guichet_webrtc_send_chat(GstElement *webrtc, const char *text) {
    Watch *w = watch_of(webrtc);
    if (!w) return -1;
    g_mutex_lock(&w->lock);
    GstWebRTCDataChannel *channel = w->chat ? g_object_ref(w->chat) : NULL;
    g_mutex_unlock(&w->lock);
    if (!channel) return -1;
    GstWebRTCDataChannelState state;
    g_object_get(channel, "ready-state", &state, NULL);
    int ok = state == GST_WEBRTC_DATA_CHANNEL_STATE_OPEN;
    if (ok) g_signal_emit_by_name(channel, "send-string", text);
    g_object_unref(channel);
    return ok ? 0 : -1;
}

/* Congestion figures from webrtcbin's statistics: the remote receiver's reports on our
 * video (RTCP: fraction lost, round-trip time) and transport-wide congestion control's
 * own view when negotiated (gst-twcc-stats: loss and bitrates). */
typedef struct {
    GuichetSendStats *out;
} StatsWalk;

static gboolean read_twcc(GQuark field, const GValue *value, gpointer data) {
    StatsWalk *walk = data;
    if (!GST_VALUE_HOLDS_STRUCTURE(value)) return TRUE;
    const GstStructure *s = gst_value_get_structure(value);
    double d;
    guint u;
    if (gst_structure_get_double(s, "packet-loss-pct", &d)) {
        walk->out->have_twcc = 1;
        walk->out->twcc_loss_pct = d;
    }
    if (gst_structure_get_uint(s, "bitrate-sent", &u)) walk->out->twcc_bitrate_sent = u;
    if (gst_structure_get_uint(s, "bitrate-recv", &u)) walk->out->twcc_bitrate_recv = u;
    return TRUE;
}

static gboolean read_stat(GQuark field, const GValue *value, gpointer data) {
    StatsWalk *walk = data;
    if (!GST_VALUE_HOLDS_STRUCTURE(value)) return TRUE;
    const GstStructure *s = gst_value_get_structure(value);
    GstWebRTCStatsType type;
    if (!gst_structure_get(s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, NULL)) return TRUE;
    if (type == GST_WEBRTC_STATS_REMOTE_INBOUND_RTP) {
        const gchar *kind = gst_structure_get_string(s, "kind");
        double d;
        if (kind && strcmp(kind, "video") == 0) {
            if (gst_structure_get_double(s, "fraction-lost", &d)) walk->out->fraction_lost = d;
            if (gst_structure_get_double(s, "round-trip-time", &d)) walk->out->round_trip_time = d;
            walk->out->have_remote = 1;
        }
    }
    if (gst_structure_has_field(s, "gst-twcc-stats")) {
        const GValue *twcc = gst_structure_get_value(s, "gst-twcc-stats");
        read_twcc(0, twcc, walk);
    }
    return TRUE;
}

int guichet_webrtc_send_stats(GstElement *webrtc, GuichetSendStats *out) {
    memset(out, 0, sizeof *out);
    Watch *w = watch_of(webrtc);
    if (!w) return -1;
    GstPromise *promise = gst_promise_new();
    g_mutex_lock(&w->lock);
    if (w->stopping) {
        g_mutex_unlock(&w->lock);
        gst_promise_unref(promise);
        return -1;
    }
    w->pending_stats = gst_promise_ref(promise);
    g_mutex_unlock(&w->lock);
    g_signal_emit_by_name(webrtc, "get-stats", NULL, promise);
    GstPromiseResult result = gst_promise_wait(promise);
    g_mutex_lock(&w->lock);
    gst_promise_unref(w->pending_stats);
    w->pending_stats = NULL;
    g_mutex_unlock(&w->lock);
    if (result != GST_PROMISE_RESULT_REPLIED) {
        gst_promise_unref(promise);
        return -1;
    }
    const GstStructure *reply = gst_promise_get_reply(promise);
    StatsWalk walk = {out};
    if (reply) gst_structure_foreach(reply, read_stat, &walk);
    gst_promise_unref(promise);
    return 0;
}

int guichet_get_int(GstElement *element, const char *property) {
    gint value = 0;
    g_object_get(element, property, &value, NULL);
    return value;
}

void guichet_webrtc_stopping(GstElement *webrtc) {
    Watch *w = watch_of(webrtc);
    if (!w) return;
    g_mutex_lock(&w->lock);
    w->stopping = TRUE;
    if (w->pending_stats) gst_promise_interrupt(w->pending_stats);
    g_mutex_unlock(&w->lock);
}
