#!/usr/bin/env bash
# Seed corpora for the fuzzers, generated at run time (nothing binary is committed):
#   fuzz/make_corpus.sh OUTDIR
# writes OUTDIR/decode/ (small audio files, each < 20 KB: wav u8/s16/s24/f32 mono/stereo
# 8k/44.1k, flac, mp3, ogg, opus, m4a, truncated and odd wavs) and OUTDIR/options/ (argv lines
# for fuzz_options, one argument per line). Needs ffmpeg and sox.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
out=$1
decode="$out/decode"
options="$out/options"
mkdir -p "$decode" "$options"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ff() { ffmpeg -nostdin -loglevel error -y "$@"; }

# Sources: a 0.2 s A3 with a harmonic (stereo, channels differ) at 44.1 kHz and 8 kHz.
ff -f lavfi -i "sine=f=220:d=0.2:r=44100" -f lavfi -i "sine=f=440:d=0.2:r=44100" \
  -filter_complex "[0][1]amerge=inputs=2,volume=0.5" -c:a pcm_f32le "$tmp/src44.wav"
ff -i "$tmp/src44.wav" -ar 8000 -c:a pcm_f32le "$tmp/src8.wav"

# PCM WAV: every sample format, mono and stereo, both rates (short enough for < 20 KB).
for rate in 8 44; do
  dur=0.1
  [ $rate = 44 ] && dur=0.05
  for fmt in u8 s16le s24le f32le; do
    for ch in 1 2; do
      ff -i "$tmp/src$rate.wav" -t $dur -ac $ch -c:a pcm_$fmt "$decode/pcm_${fmt}_${ch}ch_${rate}k.wav"
    done
  done
done
ff -i "$tmp/src44.wav" -t 0.05 -c:a pcm_s32le "$decode/pcm_s32le_2ch_44k.wav"
ff -i "$tmp/src8.wav" -t 0.2 -c:a pcm_f64le -ac 1 "$decode/pcm_f64le_1ch_8k.wav"
ff -i "$tmp/src8.wav" -t 0.2 -c:a pcm_alaw -ac 1 "$decode/alaw_8k.wav"
ff -i "$tmp/src8.wav" -t 0.2 -c:a pcm_mulaw -ac 1 "$decode/mulaw_8k.wav"
ff -i "$tmp/src8.wav" -t 0.2 -c:a adpcm_ima_wav -ac 1 "$decode/adpcm_ima_8k.wav"
ff -i "$tmp/src44.wav" -t 0.02 -ac 6 -c:a pcm_s16le "$decode/pcm_s16le_6ch_44k.wav"

# Compressed formats.
ff -i "$tmp/src44.wav" -c:a flac "$decode/a.flac"
ff -i "$tmp/src8.wav" -ac 1 -c:a flac "$decode/mono_8k.flac"
ff -i "$tmp/src44.wav" -c:a libmp3lame -b:a 64k "$decode/a.mp3"
ff -i "$tmp/src8.wav" -ac 1 -c:a libmp3lame -b:a 16k "$decode/mono_8k.mp3"
ff -i "$tmp/src44.wav" -c:a libvorbis -q:a 0 "$decode/a.ogg"
ff -i "$tmp/src44.wav" -c:a libopus -b:a 32k "$decode/a.opus"
ff -i "$tmp/src44.wav" -c:a aac -b:a 64k "$decode/a.m4a"
ff -i "$tmp/src44.wav" -c:a aac -b:a 64k -f adts "$decode/a.aac"
ff -i "$tmp/src44.wav" -t 0.1 -ac 1 -c:a pcm_s16be -f aiff "$decode/a.aiff"
ff -i "$tmp/src8.wav" -ac 1 -c:a pcm_s16be -f au "$decode/a.au"
ff -i "$tmp/src44.wav" -c:a libopus -b:a 32k -f matroska "$decode/opus.mka"
# sox's own writers, headers differ from ffmpeg's.
sox() { command sox -V1 "$@"; }
sox "$tmp/src8.wav" -b 16 -e signed-integer "$decode/sox_s16_8k.wav"
sox "$tmp/src8.wav" -b 8 -e unsigned-integer -c 1 "$decode/sox_u8_mono_8k.wav" trim 0 0.1
sox "$tmp/src8.wav" -t wavpcm -e floating-point -b 32 "$decode/sox_wavpcm_f32_8k.wav" trim 0 0.1

# Damaged and odd files.
head -c 3000 "$decode/pcm_s16le_2ch_44k.wav" > "$decode/truncated.wav"
head -c 44 "$decode/pcm_s16le_1ch_8k.wav" > "$decode/header_only.wav"
head -c 5000 "$decode/a.flac" > "$decode/truncated.flac"
head -c 4000 "$decode/a.m4a" > "$decode/truncated.m4a"
# Streaming WAV: data size 0xffffffff, as a pipe writes it.
ff -i "$tmp/src8.wav" -t 0.1 -ac 1 -c:a pcm_s16le -f wav - | cat > "$decode/streaming.wav"
/usr/bin/python3 - "$decode" <<'EOF'
import struct, sys
d = sys.argv[1]
pcm = open(f"{d}/pcm_s16le_1ch_8k.wav", "rb").read()
# Placeholder sizes in the RIFF and data headers.
i = pcm.index(b"data")
open(f"{d}/placeholder_sizes.wav", "wb").write(
    pcm[:4] + b"\xff\xff\xff\xff" + pcm[8:i + 4] + b"\xff\xff\xff\xff" + pcm[i + 8:])
# Float WAV with NaN, Inf and huge values.
samples = [float("nan"), float("inf"), float("-inf"), 3.4e38, -1e-45, 0.5] * 50
data = struct.pack(f"<{len(samples)}f", *samples)
fmt = struct.pack("<HHIIHH", 3, 1, 8000, 32000, 4, 32)
open(f"{d}/nonfinite_f32.wav", "wb").write(
    b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(data)) + b"WAVE" +
    b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data)
EOF

# Option lines for fuzz_options: one argv entry per line.
opt() { local name=$1; shift; printf '%s\n' "$@" > "$options/$name"; }
opt plain in.wav
opt stdin -
opt pitch in.flac --pitch out.csv
opt pitch_stdout - --pitch -
opt all song.m4a --pitch track.csv --hop 0.005 --fmin 35 --fmax 400 --a4 442 -q
opt equals in.wav --hop=0.02 --fmin=50 --fmax=1000 --a4=415
opt quiet --quiet in.wav
opt help --help
opt version --version
opt bad_hop in.wav --hop 0
opt big_hop in.wav --hop 11
opt nan in.wav --fmin nan --fmax inf
opt inverted in.wav --fmin 500 --fmax 100
opt neg_a4 in.wav --a4 -440
opt hex in.wav --hop 0x1p-7 --a4 1e3
opt missing_value in.wav --pitch
opt unknown in.wav --bogus
opt two_inputs a.wav b.wav
opt empty_input ''
opt dashdash -- -q
printf 'in.wav\0--hop\0001e-300\0--fmax\0001e308' > "$options/nul_separated"

count=$(find "$decode" -type f | wc -l)
big=$(find "$decode" -type f -size +20k)
if [ -n "$big" ]; then
  echo "make_corpus.sh: seeds over 20 KB: $big" >&2
  exit 1
fi
echo "make_corpus.sh: $count audio seeds in $decode, $(find "$options" -type f | wc -l) option seeds in $options"
