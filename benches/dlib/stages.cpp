// Times dlib 19.24's own face stages on PNG files, for benches/face.rs to compare with the
// Rust engine on identical pixels. Each stage runs on what dlib's previous stage produced
// for the same photo (the CNN's first box, its landmarks, its chip), `iterations` times.
// Prints one line per stage and photo: "<stage> <photo> <milliseconds> <milliseconds> ...".
// Built by scripts/bench.sh when Debian's libdlib-dev is installed; never part of the tests.
#include <dlib/dnn.h>
#include <dlib/image_io.h>
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>

#include <chrono>
#include <iostream>
#include <string>

using namespace dlib;

// dlib's example network definitions (dnn_mmod_face_detection_ex.cpp, dnn_face_recognition_ex.cpp).
template <long num_filters, typename SUBNET> using con5d = con<num_filters, 5, 5, 2, 2, SUBNET>;
template <long num_filters, typename SUBNET> using con5 = con<num_filters, 5, 5, 1, 1, SUBNET>;
template <typename SUBNET> using downsampler = relu<affine<con5d<32, relu<affine<con5d<32, relu<affine<con5d<16, SUBNET>>>>>>>>>;
template <typename SUBNET> using rcon5 = relu<affine<con5<45, SUBNET>>>;
using mmod_net = loss_mmod<con<1, 9, 9, 1, 1, rcon5<rcon5<rcon5<downsampler<input_rgb_image_pyramid<pyramid_down<6>>>>>>>>;

template <template <int, template <typename> class, int, typename> class block, int N, template <typename> class BN, typename SUBNET>
using residual = add_prev1<block<N, BN, 1, tag1<SUBNET>>>;
template <template <int, template <typename> class, int, typename> class block, int N, template <typename> class BN, typename SUBNET>
using residual_down = add_prev2<avg_pool<2, 2, 2, 2, skip1<tag2<block<N, BN, 2, tag1<SUBNET>>>>>>;
template <int N, template <typename> class BN, int stride, typename SUBNET>
using block = BN<con<N, 3, 3, 1, 1, relu<BN<con<N, 3, 3, stride, stride, SUBNET>>>>>;
template <int N, typename SUBNET> using ares = relu<residual<block, N, affine, SUBNET>>;
template <int N, typename SUBNET> using ares_down = relu<residual_down<block, N, affine, SUBNET>>;
template <typename SUBNET> using alevel0 = ares_down<256, SUBNET>;
template <typename SUBNET> using alevel1 = ares<256, ares<256, ares_down<256, SUBNET>>>;
template <typename SUBNET> using alevel2 = ares<128, ares<128, ares_down<128, SUBNET>>>;
template <typename SUBNET> using alevel3 = ares<64, ares<64, ares<64, ares_down<64, SUBNET>>>>;
template <typename SUBNET> using alevel4 = ares<32, ares<32, ares<32, SUBNET>>>;
using resnet = loss_metric<fc_no_bias<128, avg_pool_everything<alevel0<alevel1<alevel2<alevel3<alevel4<
    max_pool<3, 3, 2, 2, relu<affine<con<32, 7, 7, 2, 2, input_rgb_image_sized<150>>>>>>>>>>>>>;

template <typename F>
void timed(const std::string& stage, const std::string& photo, int iterations, F work) {
    std::cout << stage << " " << photo;
    for (int i = 0; i < iterations; ++i) {
        auto start = std::chrono::steady_clock::now();
        work();
        std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
        std::cout << " " << took.count();
    }
    std::cout << std::endl;
}

int main(int argc, char** argv) {
    if (argc < 4) {
        std::cerr << "usage: stages <models dir> <iterations> <photo.png>..." << std::endl;
        return 2;
    }
    const std::string dir = argv[1];
    const int iterations = std::stoi(argv[2]);
    frontal_face_detector hog = get_frontal_face_detector();
    mmod_net cnn;
    deserialize(dir + "/mmod_human_face_detector.dat") >> cnn;
    shape_predictor landmarks;
    deserialize(dir + "/shape_predictor_5_face_landmarks.dat") >> landmarks;
    resnet descriptor;
    deserialize(dir + "/dlib_face_recognition_resnet_model_v1.dat") >> descriptor;
    for (int i = 3; i < argc; ++i) {
        const std::string photo = argv[i];
        matrix<rgb_pixel> img;
        load_image(img, photo);
        std::vector<rectangle> faces;
        timed("hog", photo, iterations, [&] { faces = hog(img); });
        std::vector<mmod_rect> found;
        timed("cnn", photo, iterations, [&] { found = cnn(img); });
        if (found.empty()) continue;
        full_object_detection shape;
        // Sub-millisecond stages are run ten times as often, so that their medians hold still.
        timed("landmarks", photo, 10 * iterations, [&] { shape = landmarks(img, found[0].rect); });
        matrix<rgb_pixel> chip;
        timed("chip", photo, 10 * iterations, [&] { extract_image_chip(img, get_face_chip_details(shape, 150, 0.25), chip); });
        matrix<float, 0, 1> d;
        timed("descriptor", photo, iterations, [&] { d = descriptor(chip); });
    }
    return 0;
}
