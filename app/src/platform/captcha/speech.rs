//! The CAPTCHA's spoken version, the picture's accessible alternative: the digits in the
//! reader's language — Mandarin on the zh-TW pages, English on the English ones — in voices
//! made for this project with espeak-ng (`app/voices/`, `scripts/make-voices.sh`; issue 20
//! item 17), each at a speed and pitch of its own that waver as it plays, at its own loudness
//! and after its own pause, over a babble of other digits in the same voice and a little
//! noise. The voices are in the repository for anyone to read, so none is ever played as it
//! is: matching them sample by sample finds nothing. It is made once per challenge and kept
//! with it (`super::audio`), so that averaging many fetches of one challenge gains nothing.

use crate::i18n::Lang;
use rand::Rng;
use std::f32::consts::TAU;
use std::sync::OnceLock;

const RATE: u32 = 22_050;
/// A sample this loud in a voice is speech, not the silence around it.
const SPOKEN: f32 = 2_500.0;

/// The recordings of '1' to '9' in each language (WAV, mono, 16 bits at [`RATE`]).
const MANDARIN: [&[u8]; 9] = [
    include_bytes!("../../../voices/cmn/1.wav"),
    include_bytes!("../../../voices/cmn/2.wav"),
    include_bytes!("../../../voices/cmn/3.wav"),
    include_bytes!("../../../voices/cmn/4.wav"),
    include_bytes!("../../../voices/cmn/5.wav"),
    include_bytes!("../../../voices/cmn/6.wav"),
    include_bytes!("../../../voices/cmn/7.wav"),
    include_bytes!("../../../voices/cmn/8.wav"),
    include_bytes!("../../../voices/cmn/9.wav"),
];
const ENGLISH: [&[u8]; 9] = [
    include_bytes!("../../../voices/en/1.wav"),
    include_bytes!("../../../voices/en/2.wav"),
    include_bytes!("../../../voices/en/3.wav"),
    include_bytes!("../../../voices/en/4.wav"),
    include_bytes!("../../../voices/en/5.wav"),
    include_bytes!("../../../voices/en/6.wav"),
    include_bytes!("../../../voices/en/7.wav"),
    include_bytes!("../../../voices/en/8.wav"),
    include_bytes!("../../../voices/en/9.wav"),
];

/// `digit` ('1' to '9') in `lang`'s voice, without the silence around it.
fn voice(lang: Lang, digit: char) -> Option<&'static [f32]> {
    static VOICES: OnceLock<Option<[Vec<Vec<f32>>; 2]>> = OnceLock::new();
    let index = digit.to_digit(10)?.checked_sub(1)? as usize;
    let voices = VOICES
        .get_or_init(|| Some([read(&MANDARIN)?, read(&ENGLISH)?]))
        .as_ref()?;
    let voice = match lang {
        Lang::ZhTw => &voices[0],
        Lang::English => &voices[1],
    };
    voice.get(index).map(Vec::as_slice)
}

fn read(recordings: &[&[u8]]) -> Option<Vec<Vec<f32>>> {
    recordings
        .iter()
        .map(|wav| {
            let mut reader = hound::WavReader::new(*wav).ok()?;
            if reader.spec().sample_rate != RATE || reader.spec().channels != 1 {
                return None;
            }
            let mut voice = reader
                .samples::<i16>()
                .map(|sample| sample.ok().map(f32::from))
                .collect::<Option<Vec<f32>>>()?;
            let start = voice.iter().position(|sample| sample.abs() > SPOKEN)?;
            let end = voice.iter().rposition(|sample| sample.abs() > SPOKEN)?;
            voice.truncate(end + RATE as usize / 20);
            voice.drain(..start.saturating_sub(RATE as usize / 50));
            Some(voice)
        })
        .collect()
}

/// `clip` played at a rate around `speed` that wavers as it plays: both faster and higher, or
/// slower and lower.
fn warble(clip: &[f32], speed: f32, rng: &mut impl Rng) -> Vec<f32> {
    let depth = rng.random_range(0.04..0.08);
    let period = rng.random_range(0.12..0.4) * RATE as f32;
    let phase = rng.random_range(0.0..TAU);
    let mut out = Vec::with_capacity((clip.len() as f32 / speed) as usize + 1);
    let mut at = 0.0f32;
    while (at as usize) + 1 < clip.len() {
        let (index, fraction) = (at as usize, at.fract());
        out.push(clip[index] * (1.0 - fraction) + clip[index + 1] * fraction);
        let n = out.len() as f32;
        at += speed * (1.0 + depth * (TAU * n / period + phase).sin());
    }
    out
}

/// A speed clearly off the recording's own, slower or faster.
fn off_speed(rng: &mut impl Rng, low: f32, high: f32) -> f32 {
    let change = rng.random_range(low..high);
    if rng.random_bool(0.5) {
        1.0 + change
    } else {
        1.0 / (1.0 + change)
    }
}

fn mix(track: &mut Vec<f32>, at: usize, clip: &[f32], gain: f32) {
    if track.len() < at + clip.len() {
        track.resize(at + clip.len(), 0.0);
    }
    for (into, sample) in track[at..].iter_mut().zip(clip) {
        *into += sample * gain;
    }
}

fn seconds(rng: &mut impl Rng, low: f32, high: f32) -> usize {
    (rng.random_range(low..high) * RATE as f32) as usize
}

/// `answer` (digits '1' to '9') spoken in `lang`, as a WAV file.
pub fn speak(answer: &str, lang: Lang, rng: &mut impl Rng) -> Option<Vec<u8>> {
    let mut track = Vec::new();
    let mut at = seconds(rng, 0.3, 0.6);
    for digit in answer.chars() {
        let clip = warble(voice(lang, digit)?, off_speed(rng, 0.1, 0.2), rng);
        mix(&mut track, at, &clip, rng.random_range(0.7..1.0));
        at += clip.len() + seconds(rng, 0.3, 0.6);
    }
    let end = at;
    // The babble: other digits, quieter, one after another with overlaps, end to end.
    let mut at = seconds(rng, 0.0, 0.3);
    while at < end {
        let digit = char::from(b'1' + rng.random_range(0..9));
        let clip = warble(voice(lang, digit)?, off_speed(rng, 0.1, 0.3), rng);
        let step = (clip.len() as f32 * rng.random_range(0.5..0.9)) as usize;
        mix(&mut track, at, &clip, rng.random_range(0.1..0.2));
        at += step;
    }
    track.resize(end, 0.0);
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut out = std::io::Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut out, spec).ok()?;
    for sample in track {
        let noisy = sample + rng.random_range(-600.0..600.0);
        writer
            .write_sample(noisy.clamp(f32::from(i16::MIN), f32::from(i16::MAX)) as i16)
            .ok()?;
    }
    writer.finalize().ok()?;
    Some(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(wav: &[u8]) -> Vec<f32> {
        hound::WavReader::new(wav)
            .expect("a WAV")
            .samples::<i16>()
            .map(|sample| f32::from(sample.expect("a sample")))
            .collect()
    }

    /// How closely `clip` matches `track` at its best place: the normalised correlation of
    /// the clip's spoken samples (every one, or a spread of `points`) with the track's.
    fn best_match(track: &[f32], clip: &[f32], points: usize) -> f32 {
        let spoken: Vec<usize> = (0..clip.len())
            .filter(|at| clip[*at].abs() > SPOKEN)
            .collect();
        let picked: Vec<usize> = (0..points)
            .map(|n| spoken[n * spoken.len() / points])
            .collect();
        let clip_power: f32 = picked.iter().map(|at| clip[*at] * clip[*at]).sum();
        (0..track.len().saturating_sub(clip.len()))
            .map(|offset| {
                let (mut product, mut power) = (0.0, 0.0);
                for at in &picked {
                    let sample = track[offset + at];
                    product += clip[*at] * sample;
                    power += sample * sample;
                }
                product / (clip_power * power).sqrt().max(1.0)
            })
            .fold(0.0, f32::max)
    }

    #[test]
    fn security_21_3_no_recorded_digit_is_found_in_the_spoken_answer() {
        let answer = "12345";
        for lang in [Lang::ZhTw, Lang::English] {
            no_recorded_digit_in(answer, lang);
        }
    }

    fn no_recorded_digit_in(answer: &str, lang: Lang) {
        let track = samples(&speak(answer, lang, &mut rand::rng()).expect("spoken"));

        for digit in answer.chars() {
            let clip = voice(lang, digit).expect("a voice");
            // Not sample for sample …
            let exact: Vec<i16> = clip.iter().map(|sample| *sample as i16).collect();
            let runs: std::collections::HashSet<&[i16]> = exact
                .windows(32)
                .filter(|run| run.iter().any(|sample| f32::from(*sample).abs() > SPOKEN))
                .collect();
            let heard: Vec<i16> = track.iter().map(|sample| *sample as i16).collect();
            assert!(!heard.windows(32).any(|window| runs.contains(window)));
            // … nor by correlation, which finds a recording played as it is (> 0.8, below).
            // The steady synthetic voices match digits never spoken up to about 0.55 by
            // chance: what was spoken stands out no more than that.
            let best = best_match(&track, clip, 256);
            assert!(best < 0.7, "{lang:?} {digit}: {best}");
        }
    }

    #[test]
    fn security_21_3_a_recording_played_as_it_is_would_be_found() {
        // What the test above guards against: a digit's recording mixed in plainly, under
        // noise as loud as the answer's, correlates closely with the recording.
        let clip = voice(Lang::ZhTw, '7').expect("a voice");
        let mut rng = rand::rng();
        let mut track = vec![0.0; RATE as usize / 2];
        mix(&mut track, RATE as usize / 4, clip, 1.0);
        for sample in &mut track {
            *sample += rng.random_range(-600.0..600.0);
        }
        assert!(best_match(&track, clip, 256) > 0.8);
    }

    #[test]
    fn c_the_zh_tw_pages_speak_mandarin_and_the_english_ones_english() {
        for digit in '1'..='9' {
            let (mandarin, english) = (voice(Lang::ZhTw, digit), voice(Lang::English, digit));
            let (mandarin, english) = (mandarin.expect("Mandarin"), english.expect("English"));
            // Each a spoken digit of a fraction of a second, and not the same recording.
            for voice in [mandarin, english] {
                let seconds = voice.len() as f32 / RATE as f32;
                assert!((0.1..1.5).contains(&seconds), "{digit}: {seconds} s");
            }
            assert_ne!(mandarin, english, "{digit}");
        }
        let mut rng = rand::rng();
        assert!(speak("123", Lang::ZhTw, &mut rng).is_some());
        assert!(speak("0", Lang::ZhTw, &mut rng).is_none(), "no voice for 0");
    }

    #[test]
    fn each_speaking_differs() {
        let mut rng = rand::rng();
        assert_ne!(
            speak("12345", Lang::ZhTw, &mut rng),
            speak("12345", Lang::ZhTw, &mut rng)
        );
    }
}
