//! The CAPTCHA's picture: each digit is the captcha crate's glyph, scaled, stretched,
//! turned, slanted and warped at random on its own, in an ink and a stroke weight of its own,
//! overlapping its neighbours and crossed by random lines. The crate's glyphs are public, so
//! no glyph is ever drawn as it is: a fixed template of one matches none of its drawings.

use image::{Rgb, RgbImage};
use rand::Rng;
use std::f32::consts::TAU;
use std::sync::OnceLock;

pub const WIDTH: u32 = 220;
pub const HEIGHT: u32 = 80;
/// The square each glyph is cut out in, around the crate's 21–27 × 38–39 pixel glyphs.
const GLYPH_BOX: u32 = 48;

/// One digit's glyph as ink coverage, 0 (paper) to 1 (ink), row by row.
struct Glyph {
    ink: Vec<f32>,
    /// The columns the ink spans, for the spacing of neighbours.
    ink_width: f32,
}

impl Glyph {
    fn of(digit: char) -> Option<Glyph> {
        let mut one = captcha::Captcha::new();
        one.set_chars(&[digit]).add_char();
        let png = one.view(GLYPH_BOX, GLYPH_BOX).as_png()?;
        let gray = image::load_from_memory(&png).ok()?.to_luma8();
        if gray.dimensions() != (GLYPH_BOX, GLYPH_BOX) {
            return None;
        }
        let ink: Vec<f32> = gray
            .pixels()
            .map(|pixel| 1.0 - f32::from(pixel[0]) / 255.0)
            .collect();
        let side = GLYPH_BOX as usize;
        let inked: Vec<usize> = (0..side)
            .filter(|x| (0..side).any(|y| ink[y * side + x] > 0.5))
            .collect();
        let ink_width = (inked.last()? - inked.first()? + 1) as f32;
        Some(Glyph { ink, ink_width })
    }

    /// The ink at glyph coordinates (x, y), read between pixels; paper outside the glyph.
    fn at(&self, x: f32, y: f32) -> f32 {
        let side = GLYPH_BOX as usize;
        let (x0, y0) = (x.floor(), y.floor());
        let (fx, fy) = (x - x0, y - y0);
        let pixel = |dx: f32, dy: f32| {
            let (px, py) = (x0 + dx, y0 + dy);
            if px < 0.0 || py < 0.0 || px >= side as f32 || py >= side as f32 {
                0.0
            } else {
                self.ink[py as usize * side + px as usize]
            }
        };
        let top = pixel(0.0, 0.0) * (1.0 - fx) + pixel(1.0, 0.0) * fx;
        let bottom = pixel(0.0, 1.0) * (1.0 - fx) + pixel(1.0, 1.0) * fx;
        top * (1.0 - fy) + bottom * fy
    }
}

/// The glyphs of '1' to '9', cut out once.
fn glyph(digit: char) -> Option<&'static Glyph> {
    static GLYPHS: OnceLock<Option<Vec<Glyph>>> = OnceLock::new();
    let index = digit.to_digit(10)?.checked_sub(1)? as usize;
    GLYPHS
        .get_or_init(|| ('1'..='9').map(Glyph::of).collect())
        .as_ref()?
        .get(index)
}

/// How one digit is drawn: where, and bent how.
struct Pose {
    /// The glyph's centre on the picture.
    centre: (f32, f32),
    scale: (f32, f32),
    turn: f32,
    slant: f32,
    /// A wave through the glyph along each axis: amplitude (glyph pixels), wavelength, phase.
    warp: [(f32, f32, f32); 2],
    /// Coverage below `weight` is paper and above `weight + 0.35` full ink: a lower one draws
    /// a heavier stroke.
    weight: f32,
    ink: [f32; 3],
}

/// A value of at least `low` and below `high` in size, of either sign: never near zero, so
/// that no drawing comes out as the glyph itself.
fn either_sign(rng: &mut impl Rng, low: f32, high: f32) -> f32 {
    let size = rng.random_range(low..high);
    if rng.random_bool(0.5) {
        size
    } else {
        -size
    }
}

/// A wave through a glyph: amplitude (glyph pixels), wavelength, phase.
fn wave(rng: &mut impl Rng) -> (f32, f32, f32) {
    (
        rng.random_range(1.0..1.8),
        rng.random_range(14.0..24.0),
        rng.random_range(0.0..TAU),
    )
}

impl Pose {
    /// A random pose at `centre`.
    fn random(rng: &mut impl Rng, centre: (f32, f32)) -> Pose {
        let size = rng.random_range(0.95..1.25);
        Pose {
            centre,
            scale: (size * rng.random_range(0.85..1.15), size),
            turn: either_sign(rng, 0.15, 0.35),
            slant: either_sign(rng, 0.12, 0.28),
            warp: [wave(rng), wave(rng)],
            weight: rng.random_range(0.05..0.4),
            ink: [
                rng.random_range(10.0..110.0),
                rng.random_range(10.0..110.0),
                rng.random_range(10.0..110.0),
            ],
        }
    }

    /// How far the drawn glyph reaches either side of its centre, at most.
    fn reach(&self) -> f32 {
        GLYPH_BOX as f32 * 0.75 * self.scale.0.max(self.scale.1)
    }

    /// The glyph coordinates drawn at picture point (x, y): the pose undone.
    fn source(&self, x: f32, y: f32) -> (f32, f32) {
        let (dx, dy) = (x - self.centre.0, y - self.centre.1);
        let (sin, cos) = self.turn.sin_cos();
        let (u, v) = (cos * dx + sin * dy, -sin * dx + cos * dy);
        let u = u - self.slant * v;
        let (u, v) = (u / self.scale.0, v / self.scale.1);
        let [(ax, lx, px), (ay, ly, py)] = self.warp;
        let half = GLYPH_BOX as f32 / 2.0;
        (
            u + half + ax * (TAU * v / lx + px).sin(),
            v + half + ay * (TAU * u / ly + py).sin(),
        )
    }

    /// The ink this pose puts at (x, y), 0 to 1.
    fn coverage(&self, glyph: &Glyph, x: f32, y: f32) -> f32 {
        let (u, v) = self.source(x, y);
        ((glyph.at(u, v) - self.weight) / 0.35).clamp(0.0, 1.0)
    }

    fn draw(&self, glyph: &Glyph, canvas: &mut RgbImage) {
        let reach = self.reach();
        let columns = (self.centre.0 - reach).max(0.0) as u32
            ..((self.centre.0 + reach).ceil() as u32).min(WIDTH);
        let rows = (self.centre.1 - reach).max(0.0) as u32
            ..((self.centre.1 + reach).ceil() as u32).min(HEIGHT);
        for y in rows {
            for x in columns.clone() {
                let ink = self.coverage(glyph, x as f32 + 0.5, y as f32 + 0.5);
                if ink > 0.0 {
                    blend(canvas.get_pixel_mut(x, y), self.ink, ink);
                }
            }
        }
    }
}

fn blend(pixel: &mut Rgb<u8>, ink: [f32; 3], amount: f32) {
    for (channel, ink) in pixel.0.iter_mut().zip(ink) {
        *channel = (f32::from(*channel) * (1.0 - amount) + ink * amount) as u8;
    }
}

/// A line across the whole picture, wavy and sloping, as thick as a stroke.
fn draw_line(rng: &mut impl Rng, canvas: &mut RgbImage, ink: [f32; 3]) {
    let height = HEIGHT as f32;
    let start = rng.random_range(height * 0.2..height * 0.8);
    let slope = rng.random_range(-0.2..0.2);
    let (amplitude, wavelength, phase) = (
        rng.random_range(2.0..8.0),
        rng.random_range(60.0..160.0),
        rng.random_range(0.0..TAU),
    );
    let half_width = rng.random_range(0.5..1.0);
    for x in 0..WIDTH {
        let at = x as f32 + 0.5;
        let centre = start + slope * at + amplitude * (TAU * at / wavelength + phase).sin();
        for y in 0..HEIGHT {
            let ink_amount = (half_width + 0.5 - (y as f32 + 0.5 - centre).abs()).clamp(0.0, 1.0);
            if ink_amount > 0.0 {
                blend(canvas.get_pixel_mut(x, y), ink, ink_amount);
            }
        }
    }
}

/// The picture of `answer` (digits '1' to '9') as PNG.
pub fn draw(answer: &str, rng: &mut impl Rng) -> Option<Vec<u8>> {
    let glyphs = answer.chars().map(glyph).collect::<Option<Vec<_>>>()?;
    let paper = [
        rng.random_range(225.0..255.0),
        rng.random_range(225.0..255.0),
        rng.random_range(225.0..255.0),
    ];
    let mut canvas = RgbImage::from_fn(WIDTH, HEIGHT, |_, _| {
        Rgb(paper.map(|channel: f32| (channel - rng.random_range(0.0..18.0)) as u8))
    });
    let mut poses: Vec<Pose> = glyphs
        .iter()
        .map(|_| {
            let centre = (0.0, HEIGHT as f32 / 2.0 + rng.random_range(-7.0..7.0));
            Pose::random(rng, centre)
        })
        .collect();
    // Neighbours touch or overlap: each steps on by a little less than its ink's width.
    let steps: Vec<f32> = glyphs
        .iter()
        .zip(&poses)
        .map(|(glyph, pose)| glyph.ink_width * pose.scale.0 * rng.random_range(0.85..1.0))
        .collect();
    let span: f32 = steps.iter().sum();
    let mut x = (WIDTH as f32 - span) / 2.0 + rng.random_range(-12.0..12.0);
    for ((glyph, pose), step) in glyphs.iter().zip(&mut poses).zip(steps) {
        pose.centre.0 = x + step / 2.0;
        pose.draw(glyph, &mut canvas);
        x += step;
    }
    let inks: Vec<[f32; 3]> = poses.iter().map(|pose| pose.ink).collect();
    // Lines in the digits' own inks, so that colour does not tell them apart.
    for _ in 0..rng.random_range(2..=4) {
        let ink = inks[rng.random_range(0..inks.len())];
        draw_line(rng, &mut canvas, ink);
    }
    for _ in 0..rng.random_range(150..300) {
        let (x, y) = (rng.random_range(0..WIDTH), rng.random_range(0..HEIGHT));
        let ink = inks[rng.random_range(0..inks.len())];
        blend(canvas.get_pixel_mut(x, y), ink, rng.random_range(0.3..0.9));
    }
    let mut png = std::io::Cursor::new(Vec::new());
    canvas
        .write_to(&mut png, image::ImageOutputFormat::Png)
        .ok()?;
    Some(png.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pixels a drawing of `glyph` inks (more than half), on a blank picture.
    fn inked(glyph: &Glyph, pose: &Pose) -> Vec<bool> {
        (0..HEIGHT)
            .flat_map(|y| (0..WIDTH).map(move |x| (x, y)))
            .map(|(x, y)| pose.coverage(glyph, x as f32 + 0.5, y as f32 + 0.5) > 0.5)
            .collect()
    }

    fn overlap(a: &[bool], b: &[bool]) -> f32 {
        let both = a.iter().zip(b).filter(|(a, b)| **a && **b).count();
        let either = a.iter().zip(b).filter(|(a, b)| **a || **b).count();
        both as f32 / either as f32
    }

    /// The glyph as the crate draws it, centred at `centre`: the public template.
    fn template(glyph: &Glyph, centre: (f32, f32)) -> Vec<bool> {
        let half = GLYPH_BOX as f32 / 2.0;
        (0..HEIGHT)
            .flat_map(|y| (0..WIDTH).map(move |x| (x, y)))
            .map(|(x, y)| {
                glyph.at(
                    x as f32 + 0.5 - centre.0 + half,
                    y as f32 + 0.5 - centre.1 + half,
                ) > 0.5
            })
            .collect()
    }

    #[test]
    fn security_21_3_no_drawing_of_a_digit_matches_its_template_or_another_drawing() {
        let mut rng = rand::rng();
        let centre = (WIDTH as f32 / 2.0, HEIGHT as f32 / 2.0);
        for digit in '1'..='9' {
            let glyph = glyph(digit).expect("the crate's glyph");
            let public = template(glyph, centre);
            let mut previous = inked(glyph, &Pose::random(&mut rng, centre));
            let (mut to_public, mut to_previous) = (Vec::new(), Vec::new());
            for _ in 0..20 {
                let drawn = inked(glyph, &Pose::random(&mut rng, centre));
                to_public.push(overlap(&drawn, &public));
                to_previous.push(overlap(&drawn, &previous));
                previous = drawn;
            }
            // Placed exactly where the digit is, the public glyph (which overlaps itself 1.0)
            // shares well under half its ink with a drawing on average, and never nearly all;
            // so do drawings with each other.
            for overlaps in [to_public, to_previous] {
                let mean = overlaps.iter().sum::<f32>() / overlaps.len() as f32;
                let most = overlaps.iter().copied().fold(0.0, f32::max);
                assert!(mean < 0.45 && most < 0.8, "{digit}: {overlaps:?}");
            }
        }
    }

    #[test]
    fn the_picture_is_a_png_of_its_size_with_ink_on_it() {
        let png = draw("12345", &mut rand::rng()).expect("drawn");
        let picture = image::load_from_memory(&png).expect("a PNG").to_luma8();
        assert_eq!(picture.dimensions(), (WIDTH, HEIGHT));
        let dark = picture.pixels().filter(|pixel| pixel[0] < 128).count();
        assert!(dark > 500, "{dark}");
    }
}
