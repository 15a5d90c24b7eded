package legacy

import (
	"strings"
	"sync"
)

// The names dictionary: Kerala given names, house names and surnames, and
// initials, each with its Malayalam spelling and the English spellings
// registers really hold, from which the synthetic registers are written
// and the relevance queries are made. A variant is a spelling people
// write (Srikutty for Sreekutty, Lekshmi for Lakshmi, Muhammed for
// Muhammad), never one made up by applying a matching rule.

// Community is a set of the communities whose people commonly bear a name.
type Community uint8

// The communities.
const (
	Hindu Community = 1 << iota
	Muslim
	Christian
)

// Name is a name as registers write it: its usual English spelling, its
// Malayalam spelling, and the other English spellings found for it.
type Name struct {
	En       string
	Ml       string
	Variants []string
}

// Spellings returns En followed by the Variants.
func (n Name) Spellings() []string { return append([]string{n.En}, n.Variants...) }

// GivenName is a given name of the dictionary: a single word, borne by
// people of one sex ("male" or "female") in the communities given.
type GivenName struct {
	Name
	Sex         string
	Communities Community
}

// FamilyName is a house name (Puthenpurayil), a caste or family surname
// (Nair, Kurian) or a title that follows a name (Haji), as written after or
// before a given name. Surname is false for house names, which people of
// every community bear.
type FamilyName struct {
	Name
	Surname     bool
	Communities Community
}

// Dictionary is the names dictionary. Its slices are shared: callers must
// not modify them.
type Dictionary struct {
	Given    []GivenName
	Family   []FamilyName
	Initials []Name // one letter each: {"K.", "കെ."}
	// NearMisses are pairs of different names that look alike (Rajesh and
	// Rakesh), both in Given: a search for one must not find the other.
	NearMisses [][2]string
}

// Names returns the names dictionary. It is parsed once, on first use.
func Names() *Dictionary { return dictionary() }

var dictionary = sync.OnceValue(func() *Dictionary {
	d := &Dictionary{}
	var sex string
	var comm Community
	for line := range strings.Lines(givenNameData) {
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case f[0] == "=":
			sex, comm = f[1], communities(f[2:])
		default:
			d.Given = append(d.Given, GivenName{Name: Name{En: f[0], Ml: f[1], Variants: f[2:]}, Sex: sex, Communities: comm})
		}
	}
	surname := false
	for line := range strings.Lines(familyNameData) {
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case f[0] == "=":
			surname, comm = f[1] == "surname", communities(f[2:])
		default:
			d.Family = append(d.Family, FamilyName{Name: Name{En: f[0], Ml: f[1], Variants: f[2:]}, Surname: surname, Communities: comm})
		}
	}
	for line := range strings.Lines(initialData) {
		if f := strings.Fields(line); len(f) == 2 {
			d.Initials = append(d.Initials, Name{En: f[0] + ".", Ml: f[1] + "."})
		}
	}
	for line := range strings.Lines(nearMissData) {
		if f := strings.Fields(line); len(f) == 2 {
			d.NearMisses = append(d.NearMisses, [2]string{f[0], f[1]})
		}
	}
	return d
})

func communities(words []string) Community {
	var c Community
	for _, w := range words {
		switch w {
		case "hindu":
			c |= Hindu
		case "muslim":
			c |= Muslim
		case "christian":
			c |= Christian
		}
	}
	return c
}

// givenNameData lists the given names: under a line "= <sex>
// <communities>", one name a line, its usual English spelling, its
// Malayalam spelling and its other English spellings.
const givenNameData = `
= male hindu
Rajesh രാജേഷ്
Rakesh രാകേഷ്
Suresh സുരേഷ്
Ramesh രമേഷ് Remesh
Mahesh മഹേഷ്
Ganesh ഗണേഷ്
Dinesh ദിനേഷ്
Umesh ഉമേഷ്
Rajeev രാജീവ് Rajiv
Sajeev സജീവ് Sajiv
Sanjeev സഞ്ജീവ് Sanjiv
Manoj മനോജ്
Vinod വിനോദ് Vinodh Vinoth
Pramod പ്രമോദ് Pramodh
Ajith അജിത്ത് Ajit
Ajay അജയ്
Vijay വിജയ്
Vijayan വിജയൻ
Jayan ജയൻ
Jayesh ജയേഷ്
Rajan രാജൻ
Ranjith രഞ്ജിത്ത് Renjith Ranjit
Sreejith ശ്രീജിത്ത് Srijith Sreejit
Sreekumar ശ്രീകുമാർ Srikumar Shreekumar
Sreekanth ശ്രീകാന്ത് Srikanth
Sreenivasan ശ്രീനിവാസൻ Srinivasan
Sreenath ശ്രീനാഥ് Srinath
Sreeraj ശ്രീരാജ് Sriraj
Sreehari ശ്രീഹരി Srihari
Unnikrishnan ഉണ്ണികൃഷ്ണൻ
Gopalakrishnan ഗോപാലകൃഷ്ണൻ
Radhakrishnan രാധാകൃഷ്ണൻ
Balakrishnan ബാലകൃഷ്ണൻ
Harikrishnan ഹരികൃഷ്ണൻ
Krishnan കൃഷ്ണൻ
Krishnakumar കൃഷ്ണകുമാർ
Kunhikrishnan കുഞ്ഞികൃഷ്ണൻ Kunjikrishnan
Kunhiraman കുഞ്ഞിരാമൻ Kunjiraman
Gopalan ഗോപാലൻ
Gopi ഗോപി
Gopan ഗോപൻ
Raghu രഘു Reghu
Raghavan രാഘവൻ
Madhu മധു
Madhavan മാധവൻ
Mohan മോഹൻ
Mohanan മോഹനൻ
Sasi ശശി Shashi
Sasidharan ശശിധരൻ Shashidharan
Sreedharan ശ്രീധരൻ Sridharan
Chandran ചന്ദ്രൻ
Ramachandran രാമചന്ദ്രൻ
Ravi രവി
Raveendran രവീന്ദ്രൻ Ravindran
Surendran സുരേന്ദ്രൻ
Rajendran രാജേന്ദ്രൻ
Narayanan നാരായണൻ
Sankaran ശങ്കരൻ Shankaran
Sankar ശങ്കർ Shankar
Sivan ശിവൻ Shivan
Sivadasan ശിവദാസൻ Shivadasan
Haridas ഹരിദാസ്
Hari ഹരി
Hareesh ഹരീഷ് Harish
Gireesh ഗിരീഷ് Girish
Satheesh സതീഷ് Sathish Satish
Santhosh സന്തോഷ് Santosh
Sandeep സന്ദീപ് Sandip
Pradeep പ്രദീപ് Pradip
Dileep ദിലീപ് Dilip
Praveen പ്രവീൺ Pravin
Naveen നവീൻ Navin
Prasanth പ്രശാന്ത് Prashanth Prasant
Prasad പ്രസാദ്
Prakash പ്രകാശ്
Arun അരുൺ
Varun വരുൺ
Akhil അഖിൽ Akil
Nikhil നിഖിൽ Nikil
Vishnu വിഷ്ണു
Vineeth വിനീത് Vinith Vineet
Vinu വിനു
Anoop അനൂപ് Anup
Aneesh അനീഷ് Anish
Sudheer സുധീർ Sudhir
Sudheesh സുധീഷ് Sudhish
Suneesh സുനീഷ് Sunish
Jithin ജിതിൻ Jitin
Jithesh ജിതേഷ്
Abhilash അഭിലാഷ് Abilash
Abhijith അഭിജിത്ത് Abhijit
Rahul രാഹുൽ
Arjun അർജുൻ
Adarsh ആദർശ്
Aswin അശ്വിൻ Ashwin
Kiran കിരൺ
Kannan കണ്ണൻ
Unni ഉണ്ണി
Kuttan കുട്ടൻ
Appu അപ്പു
Deepu ദീപു
Aravind അരവിന്ദ്
Anand ആനന്ദ്
Ananthan അനന്തൻ
Govindan ഗോവിന്ദൻ
Kesavan കേശവൻ Keshavan
Velayudhan വേലായുധൻ
Ayyappan അയ്യപ്പൻ
Bhaskaran ഭാസ്കരൻ Baskaran
Dasan ദാസൻ
Jayakumar ജയകുമാർ
Jayaprakash ജയപ്രകാശ്
Sudhakaran സുധാകരൻ
Subhash സുഭാഷ് Subash
Vasudevan വാസുദേവൻ
Muraleedharan മുരളീധരൻ Muralidharan
Murali മുരളി
Sarath ശരത്ത് Sharath
Sanal സനൽ
Sanju സഞ്ജു
Manu മനു
Mithun മിഥുൻ
Vipin വിപിൻ
Bipin ബിപിൻ
Nithin നിതിൻ Nitin
Jishnu ജിഷ്ണു
Vysakh വൈശാഖ് Vaisakh Vyshakh
Sooraj സൂരജ് Suraj
Sujith സുജിത്ത് Sujit
Sajith സജിത്ത് Sajit
Jayaram ജയറാം
Mukundan മുകുന്ദൻ
Raman രാമൻ
Ramu രാമു
Kumaran കുമാരൻ
Sukumaran സുകുമാരൻ
Prabhakaran പ്രഭാകരൻ Prabakaran
Divakaran ദിവാകരൻ
Damodaran ദാമോദരൻ
Dhanesh ധനേഷ്
Ratheesh രതീഷ് Rathish
Sumesh സുമേഷ്
Shyam ശ്യാം Syam
Sethu സേതു
Devan ദേവൻ
Mahadevan മഹാദേവൻ
Kumar കുമാർ
Lal ലാൽ
Raj രാജ്
Das ദാസ്

= male hindu christian
Anil അനിൽ
Sunil സുനിൽ
Susil സുശീൽ Sushil Susheel
Biju ബിജു
Baiju ബൈജു Byju
Binu ബിനു
Shaji ഷാജി
Saji സജി
Sajan സാജൻ
Shibu ഷിബു
Shiju ഷിജു
Sabu സാബു
Saju സാജു
Shaju ഷാജു
Reji റെജി
Babu ബാബു
Jiju ജിജു

= female hindu
Sreekutty ശ്രീക്കുട്ടി Srikutty Srikutti Sreekutti
Lakshmi ലക്ഷ്മി Lekshmi Laxmi
Sreelakshmi ശ്രീലക്ഷ്മി Srilakshmi Sreelekshmi
Jayalakshmi ജയലക്ഷ്മി Jayalekshmi
Rajalakshmi രാജലക്ഷ്മി Rajalekshmi
Vijayalakshmi വിജയലക്ഷ്മി Vijayalekshmi
Anitha അനിത Anita
Amitha അമിത Amita
Sunitha സുനിത Sunita
Sumitha സുമിത Sumita
Kavitha കവിത Kavita
Savitha സവിത Savita
Sabitha സബിത Sabita
Saritha സരിത Sarita
Latha ലത Lata Letha
Lalitha ലളിത Lalita
Geetha ഗീത Gita Geeta
Seetha സീത Sita Seeta
Preetha പ്രീത Preeta
Sreeja ശ്രീജ Srija
Deepa ദീപ Dipa
Divya ദിവ്യ
Diya ദിയ
Priya പ്രിയ
Remya രമ്യ Ramya
Resmi രശ്മി Reshmi Rashmi
Reshma രേഷ്മ
Rekha രേഖ Reka
Lekha ലേഖ
Sreelekha ശ്രീലേഖ
Meera മീര Mira
Meena മീന Mina
Leela ലീല Lila
Leena ലീന Lina
Seema സീമ Sima
Indu ഇന്ദു
Ambika അംബിക
Radha രാധ
Radhika രാധിക
Rema രമ
Ramani രമണി Remani
Usha ഉഷ
Asha ആശ
Uma ഉമ
Sobha ശോഭ Shobha
Shobana ശോഭന Sobhana
Suma സുമ
Sumathi സുമതി
Vasantha വസന്ത
Sarojini സരോജിനി
Kamala കമല
Kausalya കൗസല്യ Kousalya
Sujatha സുജാത Sujata
Sreedevi ശ്രീദേവി Sridevi
Devika ദേവിക
Devi ദേവി
Parvathy പാർവതി Parvathi Parvati
Gowri ഗൗരി Gouri Gauri
Anagha അനഘ
Nandana നന്ദന
Anjali അഞ്ജലി
Aparna അപർണ
Athira ആതിര Aathira
Aswathy അശ്വതി Ashwathy Aswathi
Revathy രേവതി Revathi
Karthika കാർത്തിക
Arya ആര്യ
Neethu നീതു
Soumya സൗമ്യ Sowmya Saumya
Sandhya സന്ധ്യ Sandya
Vidya വിദ്യ Vidhya
Dhanya ധന്യ
Shylaja ശൈലജ Sailaja Shailaja
Girija ഗിരിജ
Sulochana സുലോചന
Prasanna പ്രസന്ന
Sreelatha ശ്രീലത Srilatha
Hemalatha ഹേമലത
Omana ഓമന
Chandrika ചന്ദ്രിക
Malini മാലിനി
Rajani രജനി Rejani
Ranjini രഞ്ജിനി Renjini
Sajitha സജിത
Ponnamma പൊന്നമ്മ
Thankamma തങ്കമ്മ Thangamma
Kalyani കല്യാണി
Devaki ദേവകി
Janaki ജാനകി
Kavya കാവ്യ
Sruthi ശ്രുതി Shruthi Sruthy
Keerthana കീർത്തന
Gayathri ഗായത്രി Gayatri
Haritha ഹരിത
Meenakshi മീനാക്ഷി
Jayasree ജയശ്രീ Jayashree Jayasri
Ammu അമ്മു
Chinnu ചിന്നു
Swathi സ്വാതി Swathy Swati
Suja സുജ
Bhavana ഭാവന
Vineetha വിനീത Vinitha
Sangeetha സംഗീത Sangita
Sreevidya ശ്രീവിദ്യ
Aiswarya ഐശ്വര്യ Aishwarya
Anupama അനുപമ
Nirmala നിർമല
Jyothi ജ്യോതി Jyoti
Deepthi ദീപ്തി Dipti
Shalini ശാലിനി
Sushama സുഷമ
Sreekumari ശ്രീകുമാരി Srikumari
Renuka രേണുക
Lathika ലതിക
Anila അനില
Kumari കുമാരി

= female hindu christian
Bindu ബിന്ദു Bindhu
Sindhu സിന്ധു Sindu
Beena ബീന Bina
Reena റീന Rina
Manju മഞ്ജു
Anju അഞ്ജു
Smitha സ്മിത Smita
Sheeja ഷീജ
Sheela ഷീല Shila
Sheena ഷീന
Shyni ഷൈനി Shainy
Mini മിനി
Jisha ജിഷ
Ammini അമ്മിണി

= female hindu muslim christian
Nisha നിഷ

= male muslim
Muhammad മുഹമ്മദ് Mohammed Mohamed Muhammed Mohammad
Abdul അബ്ദുൽ Abdhul
Basheer ബഷീർ Bashir
Kareem കരീം Karim
Rahim റഹീം Raheem
Rasheed റഷീദ് Rashid
Hameed ഹമീദ് Hamid
Majeed മജീദ് Majid
Saleem സലീം Salim
Shareef ഷരീഫ് Sharif
Rafeeq റഫീഖ് Rafiq Rafeek
Shafeeq ഷഫീഖ് Shafiq Shafeek
Ashraf അഷ്റഫ്
Anwar അൻവർ
Ansar അൻസാർ
Nasar നാസർ Nazar
Nizar നിസാർ Nisar
Nazeer നസീർ Naseer
Shameer ഷമീർ Shemeer
Sameer സമീർ Samir
Faisal ഫൈസൽ Faizal
Noushad നൗഷാദ് Naushad Nowshad
Nishad നിഷാദ്
Shihab ഷിഹാബ്
Jaleel ജലീൽ Jalil
Khalid ഖാലിദ്
Yusuf യൂസുഫ് Yousuf Yoosuf
Ismail ഇസ്മായിൽ Ismayil
Ibrahim ഇബ്രാഹിം
Hussain ഹുസൈൻ Husain
Hassan ഹസൻ Hasan
Ali അലി
Usman ഉസ്മാൻ
Sulaiman സുലൈമാൻ
Haris ഹാരിസ്
Anas അനസ്
Fahad ഫഹദ് Fahadh
Shamsudheen ഷംസുദ്ദീൻ Shamsudeen
Jamal ജമാൽ
Jabbar ജബ്ബാർ
Jaffar ജാഫർ Jafar
Siddique സിദ്ദീഖ് Siddiq Sidheeq
Shukoor ഷുക്കൂർ Shukur
Riyas റിയാസ് Riyaz
Niyas നിയാസ് Niyaz
Firoz ഫിറോസ് Firos
Azeez അസീസ് Aziz
Latheef ലത്തീഫ് Latif
Mujeeb മുജീബ് Mujib
Muneer മുനീർ Munir
Navas നവാസ് Nawaz Navaz
Suhail സുഹൈൽ
Irfan ഇർഫാൻ
Rahman റഹ്മാൻ Rehman
Abdulla അബ്ദുള്ള Abdullah
Habeeb ഹബീബ് Habib
Shahul ഷാഹുൽ
Sakeer സക്കീർ Zakir Zakeer
Ameer അമീർ Amir
Kabeer കബീർ Kabir
Thahir താഹിർ Tahir
Shabeer ഷബീർ Shabir
Mansoor മൻസൂർ Mansur
Noufal നൗഫൽ Naufal Nowfal
Ashiq ആഷിഖ് Ashik
Musthafa മുസ്തഫ Mustafa
Subair സുബൈർ Zubair
Sadiq സാദിഖ് Sadik
Junaid ജുനൈദ്
Hashim ഹാഷിം
Asif ആസിഫ്
Afsal അഫ്സൽ Afzal
Ahammed അഹമ്മദ് Ahmed Ahamed
Sajid സാജിദ്
Shajahan ഷാജഹാൻ
Safeer സഫീർ

= female muslim
Fathima ഫാത്തിമ Fatima Fathimah
Aysha ആയിഷ Ayisha Aisha Ayesha
Khadeeja ഖദീജ Khadija Kadeeja
Zainaba സൈനബ Sainaba
Safiya സഫിയ Safia
Shabana ഷബാന
Shameema ഷമീമ
Shahina ഷാഹിന
Sabira സാബിറ
Rasiya റസിയ Razia
Haseena ഹസീന Hasina
Jaseena ജസീന
Naseera നസീറ Nazeera
Suhra സുഹ്റ Zuhra
Mumthas മുംതാസ് Mumtaz
Nafeesa നഫീസ Nafisa
Ramla റംല
Sajna സജ്ന
Naseema നസീമ
Raihana റൈഹാന
Sumayya സുമയ്യ
Hiba ഹിബ
Rizwana റിസ്വാന Risvana
Shirin ഷിറിൻ Shireen
Thasni തസ്നി
Fousiya ഫൗസിയ Fauziya Fouziya
Bushra ബുഷ്റ
Sameera സമീറ Samira
Amina ആമിന Aamina
Mariyam മറിയം Mariam
Asma അസ്മ
Rukhiya റുഖിയ Rukiya Ruqiya
Shahana ഷഹാന
Nusrath നുസ്രത്ത് Nusrat
Sulfath സുൽഫത്ത് Zulfath
Thahira താഹിറ Tahira
Jameela ജമീല Jamila
Najma നജ്മ
Ruksana റുക്സാന Rukhsana
Shifa ഷിഫ
Nadiya നാദിയ Nadia
Farsana ഫർസാന Farzana
Subaida സുബൈദ Zubaida
Hajara ഹാജറ
Beevi ബീവി
Salma സൽമ
Shahida ഷാഹിദ
Nasreen നസ്രീൻ Nasrin
Sabna സബ്ന
Muhsina മുഹ്സിന

= male christian
Joseph ജോസഫ്
Jose ജോസ്
Josy ജോസി Josey
Thomas തോമസ് Tomas
Mathew മാത്യു Matthew
Mathai മത്തായി
George ജോർജ്
Varghese വർഗീസ് Verghese Varghees
Geevarghese ഗീവർഗീസ്
Kurian കുര്യൻ Kuriyan
Kuriakose കുര്യാക്കോസ്
Chacko ചാക്കോ Chako
Cherian ചെറിയാൻ
Abraham അബ്രഹാം
Jacob ജേക്കബ്
Philip ഫിലിപ്പ്
John ജോൺ
Johny ജോണി Johnny
Paul പോൾ
Paulose പൗലോസ്
Peter പീറ്റർ
Pathrose പത്രോസ്
Sebastian സെബാസ്റ്റ്യൻ
Antony ആന്റണി Anthony
Stephen സ്റ്റീഫൻ
Michael മൈക്കിൾ
Simon സൈമൺ
Daniel ഡാനിയേൽ
Samuel സാമുവൽ
Tomy ടോമി Tommy
Tony ടോണി
Sunny സണ്ണി
Benny ബെന്നി
Jomon ജോമോൻ
Jaimon ജെയ്മോൻ
Kunjumon കുഞ്ഞുമോൻ
Jijo ജിജോ
Lijo ലിജോ
Jobin ജോബിൻ
Jibin ജിബിൻ
Libin ലിബിൻ
Jerin ജെറിൻ
Ebin എബിൻ
Eldho എൽദോ Eldo
Alex അലക്സ്
Roy റോയ്
Joy ജോയ്
Joby ജോബി
Binoy ബിനോയ്
Bijoy ബിജോയ്
Chandy ചാണ്ടി
Oommen ഉമ്മൻ
Thommen തൊമ്മൻ
Itty ഇട്ടി
Varkey വർക്കി
Eapen ഈപ്പൻ
Ouseph ഔസേപ്പ്
Lonappan ലോനപ്പൻ
Devasia ദേവസ്യ
Mani മാണി
Xavier സേവ്യർ
Francis ഫ്രാൻസിസ്
Vincent വിൻസെന്റ്
Yohannan യോഹന്നാൻ
Chummar ചുമ്മാർ
Baby ബേബി
Siby സിബി Sibi
Rony റോണി Ronnie
Sojan സോജൻ
Jaison ജെയ്സൺ Jayson
Wilson വിൽസൺ
Nelson നെൽസൺ
Robert റോബർട്ട്
Albert ആൽബർട്ട്
Martin മാർട്ടിൻ
Thankachan തങ്കച്ചൻ
Koshy കോശി
Mammen മാമ്മൻ
Punnoose പുന്നൂസ്
Pothen പോത്തൻ
Kuruvilla കുരുവിള

= female christian
Mary മേരി
Mariamma മറിയാമ്മ Mariyamma
Aleyamma ഏലിയാമ്മ Eliyamma
Annamma അന്നമ്മ
Kunjamma കുഞ്ഞമ്മ
Rosamma റോസമ്മ
Thresiamma ത്രേസ്യാമ്മ Thressiamma
Sosamma സോസാമ്മ
Saramma സാറാമ്മ
Achamma അച്ചാമ്മ
Chinnamma ചിന്നമ്മ
Elsamma എൽസമ്മ
Elizabeth എലിസബത്ത്
Annie ആനി
Ancy ആൻസി
Jessy ജെസ്സി Jessie
Jincy ജിൻസി Jinsy
Bincy ബിൻസി
Lincy ലിൻസി
Mercy മേഴ്സി
Susan സൂസൻ
Sherly ഷേർളി
Daisy ഡെയ്സി
Lissy ലിസി Lizzy
Molly മോളി
Jolly ജോളി
Sheeba ഷീബ
Nimmy നിമ്മി Nimmi
Tessy ടെസ്സി
Teena ടീന Tina
Neenu നീനു
Ann ആൻ Anne
Anna അന്ന
Maria മരിയ Mariya
Sofiya സോഫിയ Sofia Sophia
Rosy റോസി Rosie
Grace ഗ്രേസ്
Gracy ഗ്രേസി
Celine സെലിൻ
Liya ലിയ
Riya റിയ Ria
Alphonsa അൽഫോൻസ
Agnes ആഗ്നസ്
Philomina ഫിലോമിന
Thresia ത്രേസ്യ
Clara ക്ലാര
Merin മെറിൻ
Simi സിമി
Tintu ടിന്റു
Bency ബെൻസി
Jancy ജാൻസി
Rincy റിൻസി
Nancy നാൻസി
Lucy ലൂസി
Betty ബെറ്റി
`

// familyNameData lists house names, then surnames and titles, as
// givenNameData lists given names: under "= house" or "= surname
// <communities>".
const familyNameData = `
= house hindu muslim christian
Kizhakkethil കിഴക്കേതിൽ Kizhakethil
Padinjarethil പടിഞ്ഞാറേതിൽ
Thekkethil തെക്കേതിൽ Thekethil
Vadakkethil വടക്കേതിൽ Vadakethil
Puthenpurayil പുത്തൻപുരയിൽ Puthanpurayil
Puthenveettil പുത്തൻവീട്ടിൽ Puthenveetil Puthanveettil
Valiyaveettil വലിയവീട്ടിൽ Valiyaveetil Valiaveettil
Valiyaveedu വലിയവീട്
Thekkedath തെക്കേടത്ത് Thekkedathu
Kizhakkedath കിഴക്കേടത്ത്
Vadakkedath വടക്കേടത്ത്
Kunnumpurath കുന്നുമ്പുറത്ത് Kunnumpurathu
Kunnumpuram കുന്നുമ്പുറം
Pallathu പള്ളത്ത് Pallath
Mangalath മംഗലത്ത് Mangalathu
Kottarathil കൊട്ടാരത്തിൽ
Chirayil ചിറയിൽ
Pallikkara പള്ളിക്കര Pallikara
Kalathil കളത്തിൽ
Kavungal കവുങ്ങൽ
Parambil പറമ്പിൽ
Thazhathethil താഴത്തേതിൽ
Pulikkal പുലിക്കൽ Pulickal
Kochuparambil കൊച്ചുപറമ്പിൽ
Edathil എടത്തിൽ
Meleveettil മേലേവീട്ടിൽ Meleveetil
Muttathil മുറ്റത്തിൽ
Thottathil തോട്ടത്തിൽ
Kunnath കുന്നത്ത് Kunnathu
Veliyath വെളിയത്ത്
Kollamparambil കൊല്ലംപറമ്പിൽ
Kuzhiyil കുഴിയിൽ
Chalil ചാലിൽ
Mannil മണ്ണിൽ
Pulimoottil പുളിമൂട്ടിൽ
Thayyil തയ്യിൽ Thayil
Vazhayil വാഴയിൽ
Plathottam പ്ലാത്തോട്ടം
Kaippally കൈപ്പള്ളി
Valappil വളപ്പിൽ
Kandathil കണ്ടത്തിൽ
Vayalil വയലിൽ
Kulathinkal കുളത്തിങ്കൽ
Poovathinkal പൂവത്തിങ്കൽ
Chembakassery ചെമ്പകശ്ശേരി
Kannanthanam കണ്ണന്താനം
Chakkalakkal ചക്കാലക്കൽ
Mattathil മറ്റത്തിൽ
Nedumparambil നെടുമ്പറമ്പിൽ
Kalarikkal കളരിക്കൽ Kalarickal
Vattaparambil വട്ടപ്പറമ്പിൽ
Olickal ഓലിക്കൽ
Thekkumkara തെക്കുംകര
Kadavil കടവിൽ
Kunnel കുന്നേൽ
Vadakkel വടക്കേൽ
Thekkel തെക്കേൽ
Puthuparambil പുതുപ്പറമ്പിൽ
Maliyekkal മാളിയേക്കൽ Maliakkal
Kallungal കല്ലുങ്കൽ
Kanjirathinkal കാഞ്ഞിരത്തിങ്കൽ
Nellikkal നെല്ലിക്കൽ
Manalil മണലിൽ
Kottayil കോട്ടയിൽ
Chakkungal ചക്കുങ്കൽ
Moolayil മൂലയിൽ
Puthiyaveettil പുതിയവീട്ടിൽ Puthiyaveetil
Puthiyedath പുതിയേടത്ത്
Kuruppath കുറുപ്പത്ത്
Palliyil പള്ളിയിൽ
Ambalathingal അമ്പലത്തിങ്കൽ
Kovilakam കോവിലകം
Illath ഇല്ലത്ത്
Parayil പാറയിൽ
Thundiyil തുണ്ടിയിൽ
Panikkaveettil പണിക്കവീട്ടിൽ
Kochuveettil കൊച്ചുവീട്ടിൽ
Valiyaparambil വലിയപറമ്പിൽ
Cheriyaparambil ചെറിയപറമ്പിൽ
Thottungal തോട്ടുങ്കൽ
Vettikkal വെട്ടിക്കൽ
Koyikkal കോയിക്കൽ Koyickal
Pattathil പട്ടത്തിൽ
Olassery ഒളശ്ശേരി
Pazhayaveettil പഴയവീട്ടിൽ
Thoppil തോപ്പിൽ
Cherussery ചെറുശ്ശേരി
Kalladi കല്ലടി
Vellappally വെള്ളാപ്പള്ളി
Puthussery പുതുശ്ശേരി Puthusseri
Elamkulam ഏലംകുളം
Pallippurath പള്ളിപ്പുറത്ത് Pallipurath
Nalukettil നാലുകെട്ടിൽ
Kuzhikkattil കുഴിക്കാട്ടിൽ
Mampilly മാമ്പിള്ളി
Kannoth കണ്ണോത്ത്
Kalathingal കളത്തിങ്കൽ
Vadakkepurath വടക്കേപ്പുറത്ത്
Mullassery മുല്ലശ്ശേരി
Chalakkal ചാലക്കൽ
Thekkumpuram തെക്കുമ്പുറം
Kizhakkumpuram കിഴക്കുമ്പുറം
Kuttiyil കുറ്റിയിൽ
Veettil വീട്ടിൽ
Mangattu മങ്ങാട്ട് Mangatt
Thaiparambil തൈപ്പറമ്പിൽ
Puthenpura പുത്തൻപുര
Mattam മറ്റം
Thekkekara തെക്കേക്കര
Vadakkekara വടക്കേക്കര
Kizhakkekara കിഴക്കേക്കര
Puthukkudi പുതുക്കുടി
Karimpil കരിമ്പിൽ
Kaithakkal കൈതക്കൽ
Perumpally പെരുമ്പള്ളി
Kunnampally കുന്നമ്പള്ളി
Vellathottam വെള്ളത്തോട്ടം
Mavelil മാവേലിൽ
Plavilayil പ്ലാവിളയിൽ
Ayyankara അയ്യങ്കര
Eettillath ഈട്ടില്ലത്ത്

= surname hindu
Nair നായർ Nayar
Menon മേനോൻ
Pillai പിള്ള
Kurup കുറുപ്പ്
Nambiar നമ്പ്യാർ Nambiyar
Warrier വാര്യർ Variar
Panicker പണിക്കർ Panikkar
Namboothiri നമ്പൂതിരി Nambuthiri Namboothiry
Varma വർമ്മ Verma
Unnithan ഉണ്ണിത്താൻ
Kaimal കൈമൾ
Marar മാരാർ
Thampi തമ്പി Thampy Thambi
Kartha കർത്ത
Nambeesan നമ്പീശൻ
Ezhuthachan എഴുത്തച്ഛൻ

= surname christian
Mathews മാത്യൂസ് Matthews
Tharakan തരകൻ
Idicula ഇടിക്കുള
Kurian കുര്യൻ Kuriyan
Koshy കോശി
Chacko ചാക്കോ
Cherian ചെറിയാൻ
Varghese വർഗീസ് Verghese
Mammen മാമ്മൻ
Kuruvilla കുരുവിള
Punnoose പുന്നൂസ്
Pothen പോത്തൻ
Eapen ഈപ്പൻ

= surname muslim
Haji ഹാജി
Koya കോയ
Musliyar മുസ്ലിയാർ
Thangal തങ്ങൾ
Sahib സാഹിബ്
Moopan മൂപ്പൻ
Kutty കുട്ടി
`

// initialData lists the letters used as initials, with the Malayalam
// letter names written for them.
const initialData = `
A എ
B ബി
C സി
D ഡി
G ജി
J ജെ
K കെ
L എൽ
M എം
N എൻ
P പി
R ആർ
S എസ്
T ടി
U യു
V വി
`

// nearMissData lists pairs of different given names that look alike.
const nearMissData = `
Rajesh Rakesh
Suresh Ramesh
Rajesh Ramesh
Anitha Amitha
Manoj Manju
Divya Diya
Biju Baiju
Sunil Susil
Latha Lalitha
Hari Hareesh
Jose Josy
Anil Anila
Mahesh Ganesh
Mahesh Umesh
Rajeev Sajeev
Sajeev Sanjeev
Ajith Sajith
Vijay Ajay
Vijayan Jayan
Raman Rajan
Sreejith Sujith
Gopi Gopan
Raghu Ramu
Madhu Manu
Mohan Mohanan
Rajendran Surendran
Satheesh Santhosh
Sandeep Pradeep
Pradeep Dileep
Praveen Naveen
Prasad Prakash
Arun Varun
Akhil Nikhil
Vineeth Vineetha
Anoop Anand
Sudheer Sudheesh
Sudheesh Suneesh
Jithin Nithin
Abhilash Abhijith
Kuttan Kannan
Deepu Deepa
Bipin Vipin
Sujith Sajith
Meera Meena
Leela Leena
Sheela Sheena
Seema Seetha
Geetha Seetha
Preetha Geetha
Deepa Deepthi
Remya Reshma
Rekha Lekha
Sindhu Bindu
Manju Anju
Asha Usha
Usha Uma
Sobha Shobana
Kavitha Savitha
Savitha Sabitha
Saritha Sabitha
Sunitha Sumitha
Smitha Sumitha
Radha Radhika
Devi Devika
Rajani Ranjini
Aswathy Revathy
Kavya Kavitha
Vidya Divya
Nisha Jisha
Sheeja Sheela
Mini Simi
Nasar Nizar
Nazeer Nasar
Faisal Afsal
Noushad Nishad
Rasheed Majeed
Hameed Majeed
Saleem Kareem
Riyas Niyas
Anwar Ansar
Hassan Hussain
Jabbar Jaffar
Kabeer Kareem
Ameer Sameer
Shabeer Basheer
Safiya Sofiya
Aysha Asha
Shabana Shahana
Haseena Jaseena
Naseema Naseera
Shameema Naseema
Shahina Shahida
Jomon Jaimon
Jijo Lijo
Jobin Jibin
Jibin Libin
Tomy Tony
Roy Joy
Binoy Bijoy
Kurian Cherian
Annamma Aleyamma
Rosamma Sosamma
Jessy Tessy
Jincy Bincy
Lincy Rincy
Molly Jolly
Ann Anna
Riya Liya
Grace Gracy
Nancy Jancy
Sabu Saju
Shibu Shiju
Saji Sajan
Babu Baby
Shaji Shaju
`
