package fixturegen

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/price"
)

// brandSpec is a registry brand plus what the generator needs to write
// listings about it. Only Brand goes into brands.yaml.
type brandSpec struct {
	brand.Brand
	// Nouns are generic words for what the brand sells, used in titles.
	Nouns []string
	// Lines are the product names without the brand, parallel to Products;
	// "" marks a name too generic to identify the brand on its own ("Lip
	// Plumper"), which the product-name tactic then skips.
	Lines []string
	// ProductNouns are what each product is, parallel to Products.
	ProductNouns []string
	// TacticAlias is an alias that does not contain the brand name, usable
	// for the alias tactic; "" keeps the brand out of that tactic.
	TacticAlias string
	// RefPhotos are keys into Photos, one per reference image.
	RefPhotos []string
	// SellerNames are display names parallel to AuthorizedSellers.
	SellerNames []string
}

func money(a float64, cur string) *price.Money { return &price.Money{Amount: a, Currency: cur} }

// brandSpecs is the registry. Floors are the lowest plausible price of a
// genuine new item, not the retail price.
var brandSpecs = []brandSpec{
	{
		Brand: brand.Brand{
			ID: "fullips", Name: "Fullips", Owner: "Et Al Beauty LLC",
			Aliases:           []string{"Full Lips"},
			Products:          []brand.Product{{Name: "Fullips Lip Plumper", PriceFloor: money(19, "USD")}},
			PriceFloor:        money(15, "USD"),
			AuthorizedSellers: []string{"etal-official"},
			Marks:             []brand.Mark{{Number: "US 4123456", Office: "USPTO", Classes: []int{3}}},
		},
		Nouns:        []string{"lip plumper", "lip enhancer", "lip plumping tool", "lip plumper device"},
		ProductNouns: []string{"lip plumper"},
		Lines:        []string{""},
		TacticAlias:  "Full Lips",
		RefPhotos:    []string{"sweets"},
		SellerNames:  []string{"Fullips Official"},
	},
	{
		Brand: brand.Brand{
			ID: "coach", Name: "Coach", Owner: "Tapestry, Inc.",
			Aliases: []string{"Coach New York"},
			Products: []brand.Product{
				{Name: "Coach Rowan Satchel", PriceFloor: money(180, "USD")},
				{Name: "Coach Willow Tote", PriceFloor: money(200, "USD")},
			},
			PriceFloor:        money(120, "USD"),
			AuthorizedSellers: []string{"coach-official", "tapestry-outlet"},
			Marks: []brand.Mark{
				{Number: "US 0751493", Office: "USPTO", Classes: []int{18}},
				{Number: "EU 000123869", Office: "EUIPO", Classes: []int{18, 25}},
			},
			Keywords: []string{"handbag", "bag", "tote", "satchel", "purse", "wallet", "crossbody", "leather"},
		},
		Nouns:        []string{"handbag", "shoulder bag", "tote bag", "crossbody purse", "leather satchel", "women's bag"},
		ProductNouns: []string{"satchel", "tote bag"},
		Lines:        []string{"Rowan Satchel", "Willow Tote"},
		RefPhotos:    []string{"notebook", "graffiti"},
		SellerNames:  []string{"Coach Official Store", "Tapestry Outlet"},
	},
	{
		Brand: brand.Brand{
			ID: "fossil", Name: "Fossil", Owner: "Fossil Group, Inc.",
			Aliases: []string{"Fossil Watches"},
			Products: []brand.Product{
				{Name: "Fossil Grant Chronograph", PriceFloor: money(75, "USD")},
				{Name: "Fossil Gen 6 Smartwatch", PriceFloor: money(140, "USD")},
			},
			PriceFloor:        money(60, "USD"),
			AuthorizedSellers: []string{"fossil-official"},
			Marks:             []brand.Mark{{Number: "US 1467321", Office: "USPTO", Classes: []int{14}}},
			Keywords:          []string{"watch", "smartwatch", "chronograph", "wristwatch"},
		},
		Nouns:        []string{"watch", "men's watch", "chronograph watch", "smartwatch", "leather strap watch"},
		ProductNouns: []string{"chronograph watch", "smartwatch"},
		Lines:        []string{"Grant Chronograph", "Gen 6 Smartwatch"},
		RefPhotos:    []string{"board"},
		SellerNames:  []string{"Fossil Official Store"},
	},
	{
		Brand: brand.Brand{
			ID: "dyson", Name: "Dyson", Owner: "Dyson Technology Ltd",
			Aliases: []string{"Dyson Technology"},
			Products: []brand.Product{
				{Name: "Dyson V11 Absolute", PriceFloor: money(300, "USD")},
				{Name: "Dyson Supersonic Hair Dryer", PriceFloor: money(250, "USD")},
			},
			PriceFloor:        money(150, "USD"),
			AuthorizedSellers: []string{"dyson-official", "appliance-world"},
			Marks: []brand.Mark{
				{Number: "US 2954778", Office: "USPTO", Classes: []int{7, 11}},
				{Number: "UK00002145327", Office: "UKIPO", Classes: []int{7, 8, 11}},
			},
			Keywords: []string{"vacuum", "cordless vacuum", "hair dryer", "fan", "air purifier", "hair styler"},
		},
		Nouns:        []string{"cordless vacuum", "stick vacuum cleaner", "hair dryer", "vacuum cleaner", "hair styler"},
		ProductNouns: []string{"cordless vacuum", "hair dryer"},
		Lines:        []string{"V11 Absolute", "Supersonic Hair Dryer"},
		RefPhotos:    []string{"desk", "motorcycle"},
		SellerNames:  []string{"Dyson Official", "Appliance World"},
	},
	{
		Brand: brand.Brand{
			ID: "siemens", Name: "Siemens", Owner: "BSH Hausgeräte GmbH",
			Aliases: []string{"Siemens Home Appliances"},
			Products: []brand.Product{
				{Name: "Siemens iQ500 Dishwasher", PriceFloor: money(550, "USD")},
				{Name: "Siemens EQ.6 Plus Coffee Machine", PriceFloor: money(600, "USD")},
			},
			PriceFloor:        money(250, "USD"),
			AuthorizedSellers: []string{"siemens-home-store"},
			Marks:             []brand.Mark{{Number: "EU 000004135", Office: "EUIPO", Classes: []int{7, 9, 11}}},
			Keywords:          []string{"dishwasher", "coffee machine", "espresso machine", "oven", "washing machine", "appliance"},
		},
		Nouns:        []string{"dishwasher", "coffee machine", "espresso machine", "bean to cup coffee maker", "built-in dishwasher"},
		ProductNouns: []string{"dishwasher", "coffee machine"},
		Lines:        []string{"iQ500 Dishwasher", "EQ.6 Plus Coffee Machine"},
		RefPhotos:    []string{"coffee"},
		SellerNames:  []string{"Siemens Home Store"},
	},
	{
		Brand: brand.Brand{
			ID: "kaltrix", Name: "Kaltrix", Owner: "Kaltrix Audio AB",
			Aliases:           []string{"KTX Audio", "Kaltrix Audio"},
			Products:          []brand.Product{{Name: "Kaltrix AeroBeat X2", PriceFloor: money(130, "USD")}},
			PriceFloor:        money(90, "USD"),
			AuthorizedSellers: []string{"kaltrix-store", "soundhaus"},
			Marks:             []brand.Mark{{Number: "EU 018765432", Office: "EUIPO", Classes: []int{9}}},
			Keywords:          []string{"headphones", "earbuds", "headset", "earphones"},
		},
		Nouns:        []string{"wireless headphones", "noise cancelling headphones", "bluetooth headset", "over-ear headphones"},
		ProductNouns: []string{"wireless headphones"},
		Lines:        []string{"AeroBeat X2"},
		TacticAlias:  "KTX Audio",
		RefPhotos:    []string{"toys"},
		SellerNames:  []string{"Kaltrix Store", "Soundhaus"},
	},
	{
		Brand: brand.Brand{
			ID: "zephyra", Name: "Zephyra", Owner: "Zephyra Athletics Inc.",
			Aliases: []string{"ZPHR"},
			Products: []brand.Product{
				{Name: "Zephyra Cloudstrider 3", PriceFloor: money(95, "USD")},
				{Name: "Zephyra Volt Runner", PriceFloor: money(80, "USD")},
			},
			PriceFloor:        money(60, "USD"),
			AuthorizedSellers: []string{"zephyra-official"},
			Marks:             []brand.Mark{{Number: "US 6234519", Office: "USPTO", Classes: []int{25}}},
		},
		Nouns:        []string{"running shoes", "sneakers", "trainers", "men's running shoes", "women's sneakers"},
		ProductNouns: []string{"running shoes", "sneakers"},
		Lines:        []string{"Cloudstrider 3", "Volt Runner"},
		TacticAlias:  "ZPHR",
		RefPhotos:    []string{"squirrel"},
		SellerNames:  []string{"Zephyra Official"},
	},
	{
		Brand: brand.Brand{
			ID: "lumora", Name: "Lumora", Owner: "Lumora Laboratoires SAS",
			Aliases: []string{"Lumora Skincare", "Lumo Lab"},
			Products: []brand.Product{
				{Name: "Lumora Radiance Night Serum", PriceFloor: money(40, "USD")},
				{Name: "Lumora Dew Veil Moisturizer", PriceFloor: money(32, "USD")},
			},
			PriceFloor:        money(25, "USD"),
			AuthorizedSellers: []string{"lumora-official", "beautybay"},
			Marks:             []brand.Mark{{Number: "EU 018554321", Office: "EUIPO", Classes: []int{3}}},
		},
		Nouns:        []string{"face serum", "night serum", "moisturizer", "skincare set", "face cream"},
		ProductNouns: []string{"night serum", "moisturizer"},
		Lines:        []string{"Radiance Night Serum", "Dew Veil Moisturizer"},
		TacticAlias:  "Lumo Lab",
		RefPhotos:    []string{"fruits"},
		SellerNames:  []string{"Lumora Official", "BeautyBay"},
	},
	{
		Brand: brand.Brand{
			ID: "vantello", Name: "Vantello", Owner: "Vantello Occhiali S.r.l.",
			Aliases:           []string{"VTL Eyewear", "Vantello Eyewear"},
			Products:          []brand.Product{{Name: "Vantello Riviera Aviator", PriceFloor: money(120, "USD")}},
			PriceFloor:        money(90, "USD"),
			AuthorizedSellers: []string{"vantello-boutique"},
			Marks:             []brand.Mark{{Number: "EU 017998877", Office: "EUIPO", Classes: []int{9}}},
			Keywords:          []string{"sunglasses", "eyewear", "aviator", "glasses"},
		},
		Nouns:        []string{"sunglasses", "aviator sunglasses", "polarized sunglasses", "women's sunglasses"},
		ProductNouns: []string{"aviator sunglasses"},
		Lines:        []string{"Riviera Aviator"},
		TacticAlias:  "VTL Eyewear",
		RefPhotos:    []string{"baboon", "retina"},
		SellerNames:  []string{"Vantello Boutique"},
	},
	{
		Brand: brand.Brand{
			ID: "north-peak", Name: "North Peak", Owner: "North Peak Outfitters Ltd",
			Aliases: []string{"NPK Outdoor", "North Peak Outfitters"},
			Products: []brand.Product{
				{Name: "North Peak Summit Shell Jacket", PriceFloor: money(190, "USD")},
				{Name: "North Peak Ridgeline Down Parka", PriceFloor: money(230, "USD")},
			},
			PriceFloor:        money(110, "USD"),
			AuthorizedSellers: []string{"northpeak-official", "trailhead-outdoor"},
			Marks:             []brand.Mark{{Number: "US 5566778", Office: "USPTO", Classes: []int{25}}},
		},
		Nouns:        []string{"shell jacket", "rain jacket", "down parka", "hiking jacket", "puffer jacket"},
		ProductNouns: []string{"shell jacket", "down parka"},
		Lines:        []string{"Summit Shell Jacket", "Ridgeline Down Parka"},
		TacticAlias:  "NPK Outdoor",
		RefPhotos:    []string{"aero1", "tree"},
		SellerNames:  []string{"North Peak Official Store", "Trailhead Outdoor"},
	},
	{
		Brand: brand.Brand{
			ID: "maison-verel", Name: "Maison Verel", Owner: "Maison Verel Parfums SA",
			Aliases:           []string{"Verel Paris"},
			Products:          []brand.Product{{Name: "Maison Verel Nuit d'Ambre Eau de Parfum", PriceFloor: money(95, "EUR")}},
			PriceFloor:        money(70, "EUR"),
			AuthorizedSellers: []string{"maisonverel-boutique"},
			Marks:             []brand.Mark{{Number: "EU 016543210", Office: "EUIPO", Classes: []int{3}}},
		},
		Nouns:        []string{"eau de parfum", "perfume", "fragrance 100ml", "perfume for women"},
		ProductNouns: []string{"eau de parfum"},
		Lines:        []string{"Nuit d'Ambre"},
		TacticAlias:  "Verel Paris",
		RefPhotos:    []string{"butterfly", "cat"},
		SellerNames:  []string{"Maison Verel Boutique"},
	},
	{
		Brand: brand.Brand{
			ID: "halden-moor", Name: "Halden Moor", Owner: "Halden Moor Mills Ltd",
			Aliases: []string{"Halden Knitwear"},
			Products: []brand.Product{
				{Name: "Halden Moor Fellside Cardigan", PriceFloor: money(110, "GBP")},
				{Name: "Halden Moor Cashmere Scarf", PriceFloor: money(70, "GBP")},
			},
			PriceFloor:        money(60, "GBP"),
			AuthorizedSellers: []string{"haldenmoor-official"},
			Marks:             []brand.Mark{{Number: "UK00003567890", Office: "UKIPO", Classes: []int{25}}},
		},
		Nouns:        []string{"wool cardigan", "cashmere scarf", "knit jumper", "lambswool sweater"},
		ProductNouns: []string{"cardigan", "cashmere scarf"},
		Lines:        []string{"Fellside Cardigan", ""},
		TacticAlias:  "Halden Knitwear",
		RefPhotos:    []string{"street", "lake"},
		SellerNames:  []string{"Halden Moor Official"},
	},
}

// refPath is the path, relative to brands.yaml, of a brand's n-th (from 1)
// reference image.
func refPath(brandID string, n int) string {
	return fmt.Sprintf("images/ref-%s-%d.jpg", brandID, n)
}

// registryYAML renders the registry part of specs as brands.yaml.
func registryYAML(specs []brandSpec) ([]byte, error) {
	reg := brand.Registry{}
	for _, s := range specs {
		b := s.Brand
		// Takedown notices are sent on behalf of a named contact.
		b.Contact = &brand.Contact{Name: "Brand protection team, " + b.Owner, Email: "ip@" + b.ID + ".example"}
		b.ReferenceImages = nil
		for i := range s.RefPhotos {
			b.ReferenceImages = append(b.ReferenceImages, refPath(b.ID, i+1))
		}
		reg.Brands = append(reg.Brands, b)
	}
	var buf bytes.Buffer
	buf.WriteString("# Brand registry for the Assay evaluation fixtures. Generated by\n" +
		"# `go run ./cmd/fixturegen`; edit internal/fixturegen/brands.go, not this file.\n" +
		"# Brands, owners, products and mark numbers are fixtures, not real registrations.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(reg); err != nil {
		return nil, fmt.Errorf("encode registry: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode registry: %w", err)
	}
	return buf.Bytes(), nil
}
