// Writes dlib's frontal face detector as a plain data file, and prints its detections on PNGs.
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_io.h>
#include <fstream>
#include <iostream>
using namespace dlib;
static void u32(std::ofstream& o, uint32_t v) { o.write((const char*)&v, 4); }
static void f32(std::ofstream& o, float v) { o.write((const char*)&v, 4); }
static void f64(std::ofstream& o, double v) { o.write((const char*)&v, 8); }
int main(int argc, char** argv) {
    frontal_face_detector det = get_frontal_face_detector();
    const auto& sc = det.get_scanner();
    std::ofstream o(argv[1], std::ios::binary);
    o.write("ZJHOG001", 8);
    u32(o, sc.get_detection_window_width());
    u32(o, sc.get_detection_window_height());
    u32(o, sc.get_cell_size());
    u32(o, sc.get_padding());
    u32(o, sc.get_max_pyramid_levels());
    u32(o, sc.get_min_pyramid_layer_width());
    u32(o, sc.get_min_pyramid_layer_height());
    f64(o, det.get_overlap_tester().get_iou_thresh());
    f64(o, det.get_overlap_tester().get_percent_covered_thresh());
    u32(o, det.num_detectors());
    for (unsigned long d = 0; d < det.num_detectors(); ++d) {
        const auto& w = det.get_w(d);
        auto fb = sc.build_fhog_filterbank(w);
        f64(o, w(w.size() - 1));  // the threshold (bias) of this detector
        u32(o, fb.filters.size());
        for (unsigned long p = 0; p < fb.filters.size(); ++p) {
            const matrix<float>& f = fb.filters[p];
            u32(o, f.nr()); u32(o, f.nc());
            for (long r = 0; r < f.nr(); ++r) for (long c = 0; c < f.nc(); ++c) f32(o, f(r, c));
            u32(o, fb.row_filters[p].size());
            for (unsigned long k = 0; k < fb.row_filters[p].size(); ++k) {
                const auto& rf = fb.row_filters[p][k];
                const auto& cf = fb.col_filters[p][k];
                u32(o, rf.size()); for (long i = 0; i < rf.size(); ++i) f32(o, rf(i));
                u32(o, cf.size()); for (long i = 0; i < cf.size(); ++i) f32(o, cf(i));
            }
        }
    }
    o.close();
    std::cout << "{";
    for (int i = 2; i < argc; ++i) {
        array2d<rgb_pixel> img;
        load_image(img, argv[i]);
        std::vector<rect_detection> dets;
        det(img, dets, 0.0);
        std::cout << (i > 2 ? ",\n" : "\n") << "\"" << argv[i] << "\": [";
        for (size_t k = 0; k < dets.size(); ++k) {
            const auto& r = dets[k].rect;
            std::cout << (k ? ", " : "") << "{\"left\": " << r.left() << ", \"top\": " << r.top() << ", \"right\": " << r.right()
                      << ", \"bottom\": " << r.bottom() << ", \"score\": " << std::setprecision(9) << dets[k].detection_confidence
                      << ", \"detector\": " << dets[k].weight_index << "}";
        }
        std::cout << "]";
    }
    std::cout << "\n}\n";
}
