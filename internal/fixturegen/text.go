package fixturegen

import (
	"math/rand/v2"
	"strings"
)

// expand fills a template: "{a|b|c}" picks one alternative (an empty
// alternative is allowed), "{$key}" is replaced by vars[key]. Runs of
// spaces and dangling separators left by empty parts are tidied before the
// variables go in, so a value's own spacing ("F u l l i p s") is kept.
func expand(tmpl string, vars map[string]string, rng *rand.Rand) string {
	var b strings.Builder
	var vals []string
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			break
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			b.WriteString(tmpl)
			break
		}
		b.WriteString(tmpl[:i])
		body := tmpl[i+1 : i+j]
		if strings.HasPrefix(body, "$") {
			if v := vars[body[1:]]; v != "" {
				// A private-use rune marks where value n goes.
				b.WriteRune(rune(0xE000 + len(vals)))
				vals = append(vals, v)
			}
		} else {
			alts := strings.Split(body, "|")
			b.WriteString(alts[rng.IntN(len(alts))])
		}
		tmpl = tmpl[i+j+1:]
	}
	out := tidy(b.String())
	for n, v := range vals {
		out = strings.Replace(out, string(rune(0xE000+n)), v, 1)
	}
	return out
}

// tidy collapses runs of spaces and trims dangling separators such as a
// trailing " -".
func tidy(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for _, p := range [][2]string{{" - - ", " - "}, {" ,", ","}, {" .", "."}, {"( ", "("}, {" )", ")"}, {"- -", "-"}} {
		s = strings.ReplaceAll(s, p[0], p[1])
	}
	for _, suf := range []string{" -", " |", " :", ","} {
		s = strings.TrimSuffix(s, suf)
	}
	for _, pre := range []string{"- ", "| ", ": "} {
		s = strings.TrimPrefix(s, pre)
	}
	return strings.TrimSpace(s)
}

func wordCount(s string) int { return len(strings.Fields(s)) }

// Marketplaces and the currency each lists in. Weights favour USD, EUR, GBP.
var marketplaces = []struct {
	Name, Currency string
	Weight         int
}{
	{"shopnet", "USD", 5}, {"quickcart", "USD", 3}, {"bazaarly", "EUR", 3},
	{"marchex", "EUR", 2}, {"dealhub", "GBP", 3}, {"maplemart", "CAD", 1}, {"koalabuy", "AUD", 1},
}

// Title and description material for counterfeit listings. {$N} is the
// brand as the tactic writes it, {$X} a generic noun, {$T} a coded tag (or
// nothing), {$E} an extra.
var (
	cfTitles = []string{
		"{$N} {$X} {$T}",
		"{New|2026 New|Hot|Hot sale} {$N} {$X} {$T} {$E}",
		"{$T} {$N} {$X} {$E}",
		"{$N} {$X} {$E} {$T}",
		"{Women's|Men's|Unisex|Original box|} {$N} {$X} - {$T}",
		"{$N} {$X} {$E} - {$T}",
	}
	cfGenericTitles = []string{
		"{$X} {$E} {$T}",
		"{New|2026 New|Hot sale|Trending} {$X} {$T} {$E}",
		"{Women's|Men's|Unisex|Premium} {$X} - {$E} {$T}",
		"{$T} {$X} {$E}",
	}
	cfExtras = []string{
		"fast shipping", "free shipping", "with box", "black", "brown", "beige", "white",
		"gift for her", "gift for him", "limited edition", "new season", "2026 model", "best seller", "in stock",
	}
	cfCodedTags = []string{
		"1:1", "AAA", "AAA+", "replica", "mirror quality", "super copy", "high copy", "rep",
		"1:1 top quality", "AAA grade", "best rep",
	}
	cfNeutral = []string{
		"Brand new{ with tags|, never used| in stock}.",
		"Fast shipping{ worldwide|}, tracking number provided.",
		"Ships from {Guangzhou|Shenzhen|Hong Kong|Istanbul|Bangkok|Yiwu} in {2|3|5} days.",
		"{Many|More} colours available, please message us.",
		"Perfect gift for {her|him|birthdays|Christmas}.",
		"Comes with {dust bag and cards|full packaging|a gift box|box and papers}.",
		"Wholesale orders welcome{, contact us on WhatsApp|}.",
		"Top seller, {500|1000|2000}+ sold.",
		"Please leave 5 star feedback{, thank you|}.",
		"Pictures are of the actual item.",
		"We ship every day except Sunday.",
	}
	// cfCoded sentences; those containing {$N} are skipped when the listing
	// must not name the brand.
	cfCoded = []string{
		"1:1 {quality|version}, same materials and details as the original.",
		"AAA {grade|quality}, you cannot tell the difference.",
		"Mirror quality, every detail is perfect.",
		"Super copy with {serial number|authenticity card|hologram sticker}.",
		"High copy, best batch {on the market|available now}.",
		"Best rep {on the site|you can buy}, QC photos before shipping.",
		"Replica {grade A|top grade}, looks exactly like the real thing.",
		"The perfect dupe of {$N}, for a fraction of the price.",
		"Inspired by {$N}, looks identical.",
		"Made in the same factory as {$N}, same materials.",
	}
	cfLow = []string{
		"Clearance price, only {3|5|8} left!",
		"Factory direct price{, today only|}.",
		"Huge discount{, limited time|}.",
		"Special price for the first {10|20} buyers.",
	}
	cfAbout = []string{
		"{$N} {$X}, {latest|newest|this season's} model.",
		"Selling {$N} {$X} at the best price.",
		"{$N} {$X} in {black|brown|white|grey|navy}.",
		"Get the {$N} look for less.",
	}
	cfAboutGeneric = []string{
		"{High quality|Premium|Stylish} {$X}, {latest|newest|this season's} design.",
		"{$X} in {black|brown|white|grey|navy}, see photos.",
		"Same design as the famous one in the photo.",
		"Exactly as shown in the picture.",
	}
)

// Material for authorized-seller and reseller listings. {$B} brand name,
// {$P} full product name, {$X} noun, {$S} seller name.
var (
	authTitles = []string{
		"{$P} - Official {$B} Store",
		"{$P} | Authorised {$B} retailer",
		"{$P} {new season|2026 collection|in stock}",
		"{$B} {$X} - {$P}",
	}
	authSaleTitles = []string{
		"{SALE|Sale|Spring sale|Clearance}: {$P} {15|20|25|30}% off",
		"{$P} - {seasonal sale|outlet price|end of line}",
	}
	authDescs = []string{
		"Sold and shipped by {$S}, an authorised {$B} retailer.",
		"{Full manufacturer warranty|2-year manufacturer warranty|Manufacturer warranty included} and free returns within 30 days.",
		"Genuine {$B} product, dispatched from our {UK|EU|US} warehouse{ within 24 hours|}.",
		"{$P}: the {$X} everyone has been waiting for, now back in stock.",
		"Official product images. Colours may vary slightly on screen.",
		"Order before 2pm for same-day dispatch.",
	}
	resellerTitles = []string{
		"{Pre-owned|Used|Preloved} {$P} - {excellent|very good|good} condition",
		"Genuine {$B} {$X}, {used twice|worn a few times|barely used}, with receipt",
		"{$P} - {unopened|sealed|new in box}, unwanted gift",
		"{$P} {pre-owned|second hand}, {boxed|with receipt|great condition}",
	}
	resellerDescs = []string{
		"Selling my {$B} {$X}, bought from {the official store|a department store|an authorised dealer} in {2024|2025}.",
		"{Original receipt and box included.|Proof of purchase available.|Comes with the original packaging.}",
		"{Price is firm.|Open to reasonable offers.|No offers please.}",
		"{Tracked postage.|Collection welcome.|Posted fully insured.}",
		"{No longer needed after moving house.|Received two as gifts.|Upgraded to a newer model.}",
		"Please see all photos for condition; minor signs of use.",
	}
	neutralShip = []string{
		"Ships within {1|2|3} business days with tracking.",
		"Free delivery on orders over {25|35|50}.",
		"Collection available, or posted {first class|tracked}.",
		"Returns accepted within {14|30} days.",
		"Please check the photos for condition.",
		"Message me with any questions before buying.",
		"Smoke-free and pet-free home.",
		"Combined postage for multiple items.",
	}
)

// negItem is a kind of negative listing: templates for its title and
// description, a USD price range and the brand its text mentions.
type negItem struct {
	Brand  string
	Titles []string
	Descs  []string
	USD    [2]float64
	Photos []string // stock photos that suit it; any stock photo if empty
}

var commonWordItems = []negItem{
	{"coach", []string{"Coach bus charter {Boston|Chicago|Denver|Atlanta|Leeds} - {20|35|49|56} seats, per hour", "Private coach hire with driver - {weddings|school trips|airport transfers}"},
		[]string{"Private coach hire with a professional driver. Air conditioning, reclining seats, luggage hold and onboard restroom. Price is per hour, minimum booking {3|4|5} hours. Ideal for weddings, school trips and corporate events."}, [2]float64{95, 180}, []string{"building", "street"}},
	{"coach", []string{"Coach tickets {London|Manchester|Leeds} to {Edinburgh|Bristol|Cardiff} - {open return|single}", "{Overnight|Express} coach ticket {Paris|Brussels} to {Amsterdam|Cologne}"},
		[]string{"Flexible coach ticket, valid on any departure within {7|14|30} days. Includes one large suitcase and one small bag. E-ticket sent by email within the hour, just show it to the driver."}, [2]float64{15, 45}, nil},
	{"coach", []string{"Outdoor coach light wall lantern, {black|bronze|antique brass}, E27", "Coach lamp {pair|set of 2} for porch or garage, {black|pewter}"},
		[]string{"Traditional coach light for porch, garage or gate posts. Weatherproof IP44 housing with clear glass panels, takes one E27 bulb (not included). Screws and wall plugs supplied."}, [2]float64{25, 70}, []string{"palace", "pub"}},
	{"coach", []string{"Youth soccer coach tactics board, {magnetic|dry erase}, {A3|45 x 30 cm}", "Football coach whistle and clipboard set"},
		[]string{"Everything a grassroots coach needs on the touchline: a pitch diagram board with magnetic counters, a marker pen and an eraser. Lightweight and fits in a kit bag."}, [2]float64{12, 30}, nil},
	{"coach", []string{"Vintage {Bedford|Leyland|AEC} coach {photograph|postcard|timetable} {1958|1962|1971}", "Old motor coach excursion poster, {Blackpool|Brighton|Scarborough}, reprint"},
		[]string{"Original period piece from a private collection of transport memorabilia. Light foxing at the edges, otherwise good for its age. Posted flat in a board-backed envelope."}, [2]float64{8, 25}, []string{"car", "sign-centre"}},
	{"coach", []string{"Life coach session - {60|90} min online, {career|confidence|fitness} focus", "Certified running coach: {8|12}-week marathon plan"},
		[]string{"Work one-to-one with a qualified coach over video call. We set goals together, build a weekly plan and review progress. Sessions are recorded so you can rewatch them."}, [2]float64{40, 120}, nil},
	{"fossil", []string{"Trilobite fossil specimen, {Elrathia kingii|Phacops}, Utah, {2.5|3|4} cm", "Real trilobite fossil on matrix, {Morocco|Utah}"},
		[]string{"Genuine Cambrian trilobite fossil, naturally preserved on its shale matrix. Comes with an ID card and a display box. Every specimen is unique; the one in the photo is the one you get."}, [2]float64{15, 60}, []string{"boxes"}},
	{"fossil", []string{"Ammonite fossil pair, polished, Madagascar, {5|7|9} cm", "Split ammonite fossil with stand, {6|8} cm"},
		[]string{"A matching pair of polished ammonite halves showing the chambers. About 110 million years old, from Madagascar. Supplied with a small wooden stand."}, [2]float64{12, 45}, nil},
	{"fossil", []string{"Fossil fuel {policy|economics} textbook, {2nd|3rd} edition, paperback", "The End of Fossil Fuels? {energy|climate} policy reader"},
		[]string{"University textbook in good used condition, some highlighting in the first chapters. Covers coal, oil and gas markets, subsidies and the energy transition."}, [2]float64{20, 60}, []string{"desk"}},
	{"fossil", []string{"Fossil shark tooth, {Otodus|Carcharocles} {3|4|5} inch, genuine", "Megalodon fossil tooth, {South Carolina|Morocco}"},
		[]string{"Genuine fossil shark tooth with good serrations and root. Not restored. Certificate of authenticity and a gift pouch included."}, [2]float64{30, 150}, nil},
	{"fossil", []string{"Kids fossil dig kit - excavate {6|8|12} real fossils", "Dinosaur fossil excavation set for kids, age {6|8}+"},
		[]string{"Dig out real fossils from a plaster block with the chisel and brush provided, then identify them with the picture guide. Great science gift, mess contained in the tray."}, [2]float64{14, 25}, []string{"toys"}},
	{"fossil", []string{"Fossil hunting guided walk, Jurassic Coast, {Saturday|Sunday} morning"},
		[]string{"Two-hour guided beach walk with a local geologist. Learn where to look and keep what you find. Suitable for families; wear sturdy shoes. Meet at the car park by the cafe."}, [2]float64{12, 25}, []string{"lake"}},
	{"dyson", []string{"Freeman Dyson - Disturbing the Universe, paperback", "Dyson sphere sci-fi art print, A{2|3}", "Freeman Dyson essays collection, hardcover, first edition"},
		[]string{"Classic writing by the physicist Freeman Dyson on science, ethics and the future. Good used copy, spine lightly creased, no markings inside."}, [2]float64{8, 35}, []string{"galaxies", "rocket"}},
	{"north-peak", []string{"Framed print: sunrise over the north peak of {Triglav|Mount Kenya|Ben Nevis}", "Guidebook: climbing routes on the North Peak, {2nd|3rd} edition"},
		[]string{"Printed on archival matte paper and framed in oak. Photographed at dawn from the ridge below the north peak. Ready to hang, cord fitted."}, [2]float64{20, 60}, []string{"tree", "lake"}},
	{"siemens", []string{"Werner von Siemens: Inventor and Entrepreneur, biography, hardcover"},
		[]string{"Biography of the nineteenth-century engineer and industrialist, with photographs and letters. Ex-library copy with stamp, otherwise clean and tight."}, [2]float64{10, 30}, nil},
}

var substringItems = []negItem{
	{"siemens", []string{"Conductivity meter {0-2000|0-200} millisiemens, ATC, {pen type|benchtop}", "Digital EC meter reading in millisiemens (mS/cm), {hydroponics|aquarium}"},
		[]string{"Measures electrical conductivity in millisiemens per centimetre with automatic temperature compensation. Two-point calibration, backlit display, spare batteries included."}, [2]float64{25, 120}, nil},
	{"siemens", []string{"EC calibration solution 1413 microsiemens/cm, {250|500} ml", "Conductivity standard 12.88 millisiemens, {250|500} ml bottle"},
		[]string{"Calibration fluid for conductivity and TDS meters. Traceable standard, stable for 12 months once opened. Store at room temperature."}, [2]float64{8, 20}, nil},
	{"siemens", []string{"TDS and EC tester, 0-9990 microsiemens, {pocket|waterproof}"},
		[]string{"Pocket tester for drinking water, pools and hydroponics. Reads microsiemens and ppm, holds the reading, auto-off after five minutes."}, [2]float64{9, 25}, nil},
	{"coach", []string{"Stagecoach wooden model kit, {1:32|1:48} scale", "Western stagecoach diorama figure set, {1:32|1:72} scale"},
		[]string{"Laser-cut wooden kit with metal wheels and harness parts. About {8|12} hours to build, glue and paint not included. Instructions in English and German."}, [2]float64{25, 70}, []string{"toys"}},
	{"coach", []string{"Antique coachman's {lantern|whip|horn}, {brass|copper}", "Coachman's carriage clock, {brass|walnut}"},
		[]string{"Period piece in honest used condition with a lovely patina. No dents or repairs. A great decorative object for a hallway or study."}, [2]float64{40, 150}, []string{"palace"}},
	{"coach", []string{"Basketball coaching clipboard, {double sided|dry erase}", "Coaching manual for youth {football|basketball|netball}, {2025|2026} edition"},
		[]string{"Practical drills and session plans for junior teams, with diagrams for every exercise. Spiral-bound so it lies flat on the sideline."}, [2]float64{10, 25}, nil},
	{"coach", []string{"Vintage coachbuilt pram, {navy|maroon|cream}, 1960s", "Coachbuilt dolls pram, {1950s|1970s}, restored"},
		[]string{"Sprung chassis with original hood and apron, recently cleaned and serviced. Wheels turn freely. Collection only due to size."}, [2]float64{60, 180}, []string{"street"}},
	{"fossil", []string{"Fossilized {wood|coral} slab, polished, {5|8} inch", "Fossilised {wood|palm} bookends, pair"},
		[]string{"Polished slice showing the grain and growth rings in stone. Natural colours, no dyes. Felt pads on the base to protect furniture."}, [2]float64{25, 80}, nil},
	{"fossil", []string{"Fossiliferous limestone tiles, {10|20} sq ft, tumbled", "Fossiliferous stone coasters, set of {4|6}"},
		[]string{"Natural limestone full of tiny shell fragments, sealed against stains. Each piece differs in pattern and tone."}, [2]float64{20, 90}, nil},
	{"zephyra", []string{"Zephyranthes rain lily bulbs, {10|20|30} pack, {pink|white|yellow}", "Zephyranthes candida bulbs for pots and borders"},
		[]string{"Easy summer-flowering bulbs that bloom after rain. Plant 5 cm deep in full sun, in pots or borders. Supplied dry with planting instructions."}, [2]float64{8, 18}, []string{"plant", "aloe"}},
}

var accessoryItems = []negItem{
	{"dyson", []string{"HEPA filter compatible with Dyson V11 and V15, {2|3|4} pack", "Replacement post-motor filter for Dyson V11 Absolute"},
		[]string{"Compatible with Dyson V11 and V15 Detect cordless vacuums. Washable and reusable, fits in seconds. Aftermarket part: not made by or affiliated with Dyson."}, [2]float64{9, 25}, nil},
	{"dyson", []string{"Wall dock for Dyson V8 V10 V11, {white|grey}", "Floor stand for Dyson V11 cordless vacuum and tools"},
		[]string{"Keeps your Dyson cordless vacuum and its attachments tidy. Fits V8, V10 and V11. Third-party product; Dyson is a trademark of its owner and is used only to describe compatibility."}, [2]float64{25, 45}, nil},
	{"dyson", []string{"Soft roller head compatible with Dyson V11", "Detangling comb attachment for Dyson Supersonic"},
		[]string{"Aftermarket attachment designed to fit Dyson models listed in the title. Not an original Dyson part. Please check your model number before ordering."}, [2]float64{15, 35}, nil},
	{"fossil", []string{"22mm silicone band for Fossil Gen 6, {black|navy|olive|sand}", "Quick-release leather strap fits Fossil Gen 6 44mm"},
		[]string{"Replacement watch band that fits the Fossil Gen 6 44mm smartwatch. Quick-release pins, no tools needed. Watch not included; not affiliated with Fossil."}, [2]float64{8, 22}, nil},
	{"fossil", []string{"Charging cable for Fossil Gen 6 smartwatch, {1 m|1.5 m}", "Tempered glass screen protector for Fossil Gen 6, {2|3} pack"},
		[]string{"Accessory for the Fossil Gen 6 smartwatch. Tested for a good fit and fast charging. Generic part sold by a third party."}, [2]float64{6, 15}, nil},
	{"kaltrix", []string{"Hard case for Kaltrix AeroBeat X2 headphones, {black|grey}", "Travel case compatible with Kaltrix AeroBeat X2"},
		[]string{"Protective EVA case shaped for the Kaltrix AeroBeat X2, with a mesh pocket for cables. Headphones not included. Not made by Kaltrix."}, [2]float64{14, 28}, nil},
	{"kaltrix", []string{"Replacement ear pads for Kaltrix AeroBeat X2, {protein leather|velour}", "3.5 mm audio cable compatible with Kaltrix X2, {1.2|2} m"},
		[]string{"Aftermarket replacement part for Kaltrix AeroBeat X2 headphones. Easy to fit, check the photos for the clip design. Kaltrix is a trademark of its owner."}, [2]float64{9, 22}, nil},
	{"siemens", []string{"Water filter cartridge compatible with Siemens EQ series, {1|3} pack", "Descaling tablets for Siemens EQ.6 coffee machines, {6|12} pack"},
		[]string{"Compatible consumable for Siemens EQ bean-to-cup coffee machines. Reduces limescale and improves taste. Third-party product, not sold by Siemens."}, [2]float64{10, 30}, nil},
	{"siemens", []string{"Cutlery basket for Siemens iQ500 dishwashers", "Upper basket wheels for Siemens dishwasher, set of 8"},
		[]string{"Replacement part that fits Siemens iQ500 dishwashers. Check your appliance's E-number before buying. Generic part, not made by Siemens."}, [2]float64{12, 35}, nil},
	{"vantello", []string{"Replacement lenses for Vantello Riviera Aviator, polarized {grey|green|brown}", "Hard case fits Vantello Riviera sunglasses"},
		[]string{"Cut to fit the Vantello Riviera Aviator frame. Polarized, UV400, with a cleaning cloth. Frame not included; we are not affiliated with Vantello."}, [2]float64{18, 40}, nil},
	{"zephyra", []string{"Replacement laces for Zephyra Cloudstrider, {120|140} cm, {white|black|neon}", "Memory foam insoles, fits Zephyra running shoes, size {6|8|10}"},
		[]string{"Aftermarket accessory sized for Zephyra running shoes. Machine washable. Shoes are not included and this product is not made by Zephyra."}, [2]float64{6, 18}, nil},
	{"coach", []string{"Purse organizer insert for Coach Willow Tote, {felt|nylon}", "Replacement crossbody strap for Coach bags, {black|tan}"},
		[]string{"Keeps your Coach Willow Tote organised and holds its shape. Sized for the tote listed; not made by or affiliated with Coach."}, [2]float64{12, 30}, nil},
}

var codedOOCItems = []negItem{
	{"", []string{"AAA batteries {24|48} pack, alkaline 1.5V", "Rechargeable AAA NiMH batteries, {8|12} pack, {800|1100} mAh"},
		[]string{"Long-lasting batteries for remotes, toys, torches and wireless mice. Ten-year shelf life. Please recycle used batteries responsibly."}, [2]float64{8, 20}, nil},
	{"", []string{"Pre-mixed 1:1 epoxy resin kit, {500|1000} ml, crystal clear", "1:1 ratio casting resin for river tables, {1|2} litre"},
		[]string{"Easy 1:1 mixing ratio by volume, low odour and bubble-free. Cures in 24 hours. Includes measuring cups, stirring sticks and gloves."}, [2]float64{18, 45}, nil},
	{"", []string{"1:1 scale anatomical skull model, {medical grade|classroom}", "Human heart model 1:1 scale, {2|4} parts"},
		[]string{"Life-size teaching model for anatomy classes. Removable parts, numbered key card included. Made of durable PVC."}, [2]float64{25, 70}, nil},
	{"", []string{"Square photo frames 1:1, {20x20|30x30} cm, set of {3|6}", "1:1 square canvas boards for painting, {10|20} pack"},
		[]string{"Square format for phone photos and prints. Real glass front and a wall hook on the back. Mount included."}, [2]float64{12, 35}, nil},
	{"", []string{"Mirror quality polished stainless steel sheet, {30x30|50x50} cm", "Acrylic sheet, mirror quality finish, {2|3} mm"},
		[]string{"Reflective sheet for crafts, signs and splashbacks. Protective film on both sides. Can be cut with a fine-tooth saw."}, [2]float64{12, 40}, nil},
	{"", []string{"Hand grip strengthener with rep counter, {adjustable|5-60 kg}", "Workout log book - sets, reps and weights, {A5|A6}"},
		[]string{"Track every session and watch your progress. Sturdy cover, lay-flat binding, one page per workout with space for notes."}, [2]float64{6, 18}, nil},
	{"", []string{"Replica Roman denarius coin, {silver plated|bronze}", "Replica 1850s ship's lantern, {brass|copper}", "Museum replica Egyptian scarab amulet"},
		[]string{"Faithful museum-shop reproduction of a historical object, marked as a copy on the base. Comes with a short history card. Ideal for teaching or display."}, [2]float64{10, 45}, nil},
	{"", []string{"Inspired by Van Gogh: Starry Night canvas print, {40x50|60x80} cm", "Starry Night art print inspired by Van Gogh, framed"},
		[]string{"High quality print of the public domain painting on artist canvas, stretched over a pine frame. Ready to hang."}, [2]float64{20, 60}, []string{"starry"}},
	{"", []string{"Grade AAA freshwater pearl necklace, {7|8} mm, 45 cm", "AAA Akoya pearl stud earrings, {6.5|7} mm"},
		[]string{"Top AAA grade pearls with high lustre and minimal blemishes, on a sterling silver clasp. Presented in a gift box with a grading card."}, [2]float64{45, 160}, nil},
	{"", []string{"AAA road atlas 2026, spiral bound", "AAA TourBook guide, {Northeast|Southwest|Pacific}, 2026"},
		[]string{"Up-to-date road maps with city insets, mileage charts and travel tips. Lies flat on the passenger seat."}, [2]float64{10, 25}, nil},
	{"fossil", []string{"Replica T. rex tooth fossil cast, museum quality", "1:1 scale replica raptor claw fossil cast"},
		[]string{"Resin cast taken from a museum specimen and hand-painted. Clearly a replica, sold for display and teaching, with a stand and a label card."}, [2]float64{15, 40}, []string{"boxes"}},
}

var unrelatedItems = []negItem{
	{"", []string{"Terracotta plant pot, {12|15|20} cm, with saucer", "Ceramic plant pot with drainage, {white|sage|grey}"}, []string{"Frost-resistant pot with a drainage hole and matching saucer. Suits herbs, succulents and small houseplants."}, [2]float64{6, 25}, []string{"plant", "aloe"}},
	{"", []string{"Sudoku puzzle book, {200|300} puzzles, {easy to hard|expert}", "Large print sudoku book, {vol. 2|vol. 5}"}, []string{"Hundreds of puzzles graded by difficulty, with answers at the back. Good paper that takes pencil and pen."}, [2]float64{4, 12}, []string{"sudoku"}},
	{"", []string{"Hanging bird feeder, {metal|squirrel-resistant}, {4|6} ports", "Wild bird seed mix, {2|5} kg"}, []string{"Attracts finches, tits and robins to the garden. Easy to fill and clean, with a rain hood."}, [2]float64{8, 30}, []string{"robin"}},
	{"", []string{"Dog harness, no-pull, {S|M|L}, {red|black|blue}", "Dog bed, washable cover, {60|80} cm"}, []string{"Padded and adjustable, with a front and back clip. Reflective stitching for evening walks."}, [2]float64{12, 40}, []string{"dog"}},
	{"", []string{"Organic apples, {3|5} kg box, {Gala|Braeburn|Cox}", "Fresh oranges, {5|10} kg, juicing"}, []string{"Picked this week, delivered in a recyclable box. Store somewhere cool for the best flavour."}, [2]float64{8, 22}, []string{"apple", "orange"}},
	{"", []string{"Model rocket kit, beginner, {2|3} stage", "Launch pad and controller for model rockets"}, []string{"Build and fly your own rocket; reaches about 150 m. Engines sold separately. Adult supervision recommended."}, [2]float64{20, 55}, []string{"rocket"}},
	{"", []string{"Telescope 70 mm refractor with tripod", "Star map poster, {A1|A2}, glow in the dark"}, []string{"Great first telescope for the Moon and planets. Two eyepieces, a finder scope and a smartphone adapter included."}, [2]float64{15, 90}, []string{"galaxies"}},
	{"", []string{"Tail light assembly, left side, {2006-2011|2012-2015} sedan", "LED number plate light, pair, {12V|E-marked}"}, []string{"Direct fit replacement, plug and play wiring. Please check the part number against your old unit."}, [2]float64{18, 70}, []string{"car"}},
	{"", []string{"Motorcycle cover, waterproof, {L|XL}", "Motorcycle chain lube, {400|500} ml"}, []string{"Heavy-duty cover with elastic hem and lock holes. Protects against rain, dust and UV."}, [2]float64{12, 35}, []string{"generator"}},
	{"", []string{"Espresso cups set of {4|6}, porcelain, {white|red}", "Milk frother jug, stainless, {350|600} ml"}, []string{"Dishwasher safe and stackable. Thick walls keep your coffee hot."}, [2]float64{10, 28}, nil},
	{"", []string{"USB-C cable, {1|2} m, braided", "Phone stand for desk, adjustable aluminium", "Wireless mouse, silent click, {black|grey}"}, []string{"Everyday tech accessory, tested before dispatch. One-year seller warranty."}, [2]float64{3, 15}, nil},
	{"", []string{"Hardcover notebook, A5, dotted, {black|green|red}", "Fountain pen ink cartridges, {20|50} pack"}, []string{"Thick, smooth paper that takes fountain pen ink without bleeding. Elastic closure and ribbon marker."}, [2]float64{5, 18}, nil},
	{"", []string{"Circuit board prototyping kit, {400|830} point breadboard", "Soldering iron kit, 60 W, adjustable"}, []string{"Starter kit for electronics projects: jumper wires, resistors, LEDs and a power module included."}, [2]float64{9, 30}, nil},
	{"", []string{"Butterfly garden kit, live caterpillars voucher", "Pop-up butterfly habitat net, {30|60} cm"}, []string{"Watch caterpillars turn into butterflies and release them in the garden. Voucher posted for spring delivery."}, [2]float64{12, 35}, nil},
	{"", []string{"Cat scratching post, {60|80} cm, sisal", "Cat treats, salmon, {6|12} pack"}, []string{"Sturdy base, replaceable sisal rope and a dangling toy. Easy to assemble."}, [2]float64{4, 35}, nil},
	{"", []string{"Wooden toy animals, set of {6|10}", "Bath toys for toddlers, {5|8} piece"}, []string{"Smooth edges, water-based paint, suitable from 12 months. Supplied in a cotton bag."}, [2]float64{8, 25}, nil},
	{"", []string{"No parking sign, {A4|A3} aluminium", "Traffic barrier, folding, {yellow|red}"}, []string{"Weatherproof sign with pre-drilled holes. UV-stable print, will not fade."}, [2]float64{8, 45}, []string{"sign-parking", "barrier"}},
	{"", []string{"Brick-effect wallpaper, {10|5} m roll", "Cobblestone garden edging, {1|2} m"}, []string{"Realistic texture, easy to hang or lay. Wipe-clean finish."}, [2]float64{10, 30}, []string{"street", "building"}},
	{"", []string{"Stretch sofa cover for 3-seater couch, {grey|beige}", "Throw pillows, set of {2|4}, linen"}, []string{"Elastic cover that fits most three-seat sofas. Machine washable at 30 degrees."}, [2]float64{15, 40}, nil},
	{"", []string{"Fishing rod and reel combo, {2.1|2.7} m", "Kayak paddle, aluminium shaft, {220|230} cm"}, []string{"Lightweight and ready to use at the lake or on the coast. Carry bag included."}, [2]float64{25, 80}, []string{"lake"}},
	{"", []string{"Microscope slides, prepared, set of {10|25}", "Student microscope, 40x-1000x"}, []string{"Prepared slides of plant and animal tissue for school biology. Labelled and boxed."}, [2]float64{12, 60}, []string{"tissue"}},
	{"", []string{"Storage boxes with lids, {3|5} pack, {20|35} L", "Cardboard moving boxes, {10|20} pack"}, []string{"Strong stackable boxes for the loft or a house move. Lids clip shut."}, [2]float64{10, 30}, []string{"boxes"}},
	{"", []string{"Sweets pick and mix, {500 g|1 kg}", "Chocolate buttons, {6|12} bags"}, []string{"Colourful mix for parties and films. Best before date at least three months ahead."}, [2]float64{3, 12}, nil},
	{"", []string{"Oak picture frame, {A4|30x40 cm}", "Landscape canvas print, {60x40|90x60} cm"}, []string{"Solid wood frame with glass and a white mount. Hangs portrait or landscape."}, [2]float64{12, 45}, []string{"tree", "lake"}},
}

// Seller names: counterfeit shops are few and busy; other sellers are many.
var (
	shopPrefixes = []string{"Cheap", "Lux", "Top", "Best", "Super", "Hot", "Trendy", "Global", "Mega", "Star", "Golden", "Happy"}
	shopNouns    = []string{"Beauty", "Deals", "Outlet", "Mall", "Fashion", "Store", "Trade", "Shop", "Goods", "Market"}
	personNames  = []string{"jenny", "mark", "aisha", "tom", "lucia", "raj", "emma", "kofi", "sven", "mei", "olga", "pedro", "niamh", "yusuf", "hana", "dave"}
	personTails  = []string{"_sells", ".k", "_uk", "1987", "_closet", "_finds", "_attic", "_home"}
	businesses   = []string{"Riverside", "Oakfield", "Northgate", "Harbour", "Meadow", "Brookside", "Hilltop", "Westend", "Parkway", "Lakeside"}
	businessKind = []string{"Supplies", "Home & Garden", "Electronics", "Books", "Hobbies", "Pets", "Kitchenware", "Tools", "Crafts", "Outdoors"}
)
