//! The CAPTCHA's spoken version, the picture's accessible alternative: the digits in the
//! captcha crate's recorded voice, each at a speed and pitch of its own that waver as it
//! plays, at its own loudness and after its own pause, over a babble of other digits in the
//! same voice and a little noise. The crate's recordings are public, so none is ever played as
//! it is: matching them sample by sample finds nothing. It is made once per challenge and
//! kept with it (`super::audio`), so that averaging many fetches of one challenge gains
//! nothing.

use rand::Rng;
use std::f32::consts::TAU;
use std::sync::OnceLock;

const RATE: u32 = 22_050;
/// Noisy renderings of each digit averaged into its voice.
const RENDERINGS: usize = 24;
/// A sample this loud in a voice is speech, not what is left of the crate's noise.
const SPOKEN: f32 = 2_500.0;

/// The crate's recordings of '1' to '9'. The crate gives each recording only under fresh
/// noise as loud as the speech: averaged over many renderings the noise fades, and the silence
/// after the last spoken sample is cut.
fn voice(digit: char) -> Option<&'static [f32]> {
    static VOICES: OnceLock<Option<Vec<Vec<f32>>>> = OnceLock::new();
    let index = digit.to_digit(10)?.checked_sub(1)? as usize;
    VOICES
        .get_or_init(record)
        .as_ref()?
        .get(index)
        .map(Vec::as_slice)
}

fn record() -> Option<Vec<Vec<f32>>> {
    let digits: Vec<char> = ('1'..='9').collect();
    let mut many = captcha::Captcha::new();
    // One crate rendering of every digit RENDERINGS times: the crate reads its recordings once
    // per rendering, not once per digit.
    for digit in &digits {
        many.set_chars(&[*digit]);
        for _ in 0..RENDERINGS {
            many.add_char();
        }
    }
    let mut sums: Vec<Vec<f32>> = vec![Vec::new(); digits.len()];
    for (digit, wav) in many.chars().into_iter().zip(many.as_wav()) {
        let index = digits.iter().position(|d| *d == digit)?;
        let wav = wav?;
        let mut reader = hound::WavReader::new(wav.as_slice()).ok()?;
        let sum = &mut sums[index];
        for (at, sample) in reader.samples::<i16>().enumerate() {
            let sample = f32::from(sample.ok()?) / RENDERINGS as f32;
            match sum.get_mut(at) {
                Some(total) => *total += sample,
                None => sum.push(sample),
            }
        }
    }
    sums.into_iter()
        .map(|mut voice| {
            let end = voice.iter().rposition(|sample| sample.abs() > SPOKEN)?;
            voice.truncate(end + RATE as usize / 20);
            Some(voice)
        })
        .collect()
}

/// `clip` played at a rate around `speed` that wavers as it plays: both faster and higher, or
/// slower and lower.
fn warble(clip: &[f32], speed: f32, rng: &mut impl Rng) -> Vec<f32> {
    let depth = rng.random_range(0.02..0.05);
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

/// `answer` (digits '1' to '9') spoken, as a WAV file.
pub fn speak(answer: &str, rng: &mut impl Rng) -> Option<Vec<u8>> {
    let mut track = Vec::new();
    let mut at = seconds(rng, 0.3, 0.6);
    for digit in answer.chars() {
        let clip = warble(voice(digit)?, off_speed(rng, 0.05, 0.14), rng);
        mix(&mut track, at, &clip, rng.random_range(0.7..1.0));
        at += clip.len() + seconds(rng, 0.3, 0.6);
    }
    let end = at;
    // The babble: other digits, quieter, one after another with overlaps, end to end.
    let mut at = seconds(rng, 0.0, 0.3);
    while at < end {
        let digit = char::from(b'1' + rng.random_range(0..9));
        let clip = warble(voice(digit)?, off_speed(rng, 0.1, 0.3), rng);
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
        let track = samples(&speak(answer, &mut rand::rng()).expect("spoken"));
        for digit in answer.chars() {
            let clip = voice(digit).expect("a voice");
            // Not sample for sample …
            let exact: Vec<i16> = clip.iter().map(|sample| *sample as i16).collect();
            let runs: std::collections::HashSet<&[i16]> = exact
                .windows(32)
                .filter(|run| run.iter().any(|sample| f32::from(*sample).abs() > SPOKEN))
                .collect();
            let heard: Vec<i16> = track.iter().map(|sample| *sample as i16).collect();
            assert!(!heard.windows(32).any(|window| runs.contains(window)));
            // … nor by correlation, which finds the crate's own rendering under its noise.
            assert!(best_match(&track, clip, 256) < 0.6, "{digit}");
        }
    }

    #[test]
    fn security_21_3_the_crates_rendering_would_be_found() {
        // What the test above guards against: the crate's rendering of a digit, fresh noise
        // and all, correlates closely with the recording.
        let mut one = captcha::Captcha::new();
        one.set_chars(&['7']).add_char();
        let wav = one.as_wav().into_iter().next().flatten().expect("rendered");
        let track = samples(&wav);
        assert!(best_match(&track, voice('7').expect("a voice"), 256) > 0.8);
    }

    #[test]
    fn each_speaking_differs() {
        let mut rng = rand::rng();
        assert_ne!(speak("12345", &mut rng), speak("12345", &mut rng));
    }
}
