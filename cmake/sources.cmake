# The library's analysis sources (decoding to notes; no cairo), shared by the main build and
# the standalone fuzz build (fuzz/CMakeLists.txt). Paths are relative to the repository root.
set(PITCHSCRIBE_ANALYSIS_SOURCES_RELATIVE
  src/analyze_file.cpp
  src/audio_decoder.cpp
  src/audio_decoder_open.cpp
  src/batch_pool.cpp
  src/change_point.cpp
  src/level_fall.cpp
  src/decimator.cpp
  src/fft_autocorrelation.cpp
  src/frame_batch.cpp
  src/frame_mix.cpp
  src/hum_canceller.cpp
  src/glide_check.cpp
  src/mpm.cpp
  src/sinc_interpolation.cpp
  src/note_names.cpp
  src/note_cues.cpp
  src/note_reattacks.cpp
  src/notes.cpp
  src/path_tracker.cpp
  src/path_handover.cpp
  src/path_arrival.cpp
  src/path_off_pitch.cpp
  src/pitch_track.cpp
  src/wav_declared_size.cpp
  src/wav_reader.cpp
)
list(TRANSFORM PITCHSCRIBE_ANALYSIS_SOURCES_RELATIVE
     PREPEND "${CMAKE_CURRENT_LIST_DIR}/../" OUTPUT_VARIABLE PITCHSCRIBE_ANALYSIS_SOURCES)
