/* Benchmark only: a wall-clock stamp in the room's outgoing pictures and its reading in the
 * remote ones (glass-to-glass latency). Never active in a real call: the daemon sets it only
 * under --visio-stamps. */
#include "gst_shim.h"
#include "gst_stamp.h"

#include <gst/video/video.h>
#include <string.h>

/* The latencies read so far, kept in webrtcbin's object data once reading is switched on. */
typedef struct {
    GMutex lock;
    double latencies[4096];
    int count;
} Stamps;

static void free_stamps(gpointer data) {
    Stamps *s = data;
    g_mutex_clear(&s->lock);
    g_free(s);
}

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

void guichet_stamp_read_remote(GstElement *webrtc, GstBuffer *buffer, GstPad *pad) {
    Stamps *w = g_object_get_data(G_OBJECT(webrtc), "guichet-stamps");
    if (!w) return;
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
    if (w->count < 4096) w->latencies[w->count++] = latency;
    g_mutex_unlock(&w->lock);
}

int guichet_stamp_latencies(GstElement *webrtc, double *out, int max) {
    Stamps *w = g_object_get_data(G_OBJECT(webrtc), "guichet-stamps");
    if (!w) {
        /* The first call switches reading on (set once, before the call starts). */
        w = g_new0(Stamps, 1);
        g_mutex_init(&w->lock);
        g_object_set_data_full(G_OBJECT(webrtc), "guichet-stamps", w, free_stamps);
        return 0;
    }
    g_mutex_lock(&w->lock);
    int count = w->count < max ? w->count : max;
    memcpy(out, w->latencies, count * sizeof(double));
    w->count = 0;
    g_mutex_unlock(&w->lock);
    return count;
}

