"""Domain schemas of the embedded sample set, as plain data.

Every domain has the same three-table shape so that one set of question templates fits all:
a *group* table (stores, hospitals, leagues ...), an *entity* table that points at a group
by its id (customers, patients, teams ...) and an *event* table that points at an entity by
its id (orders, visits, matches ...). Each role has a fixed set of columns (a name, a
category, a number, a flag, an amount, a date, a status ...) whose real names, natural
language labels and value pools differ per domain.
"""

from __future__ import annotations

from dataclasses import dataclass

PEOPLE = ()
"""An empty name pool: the entity's names are drawn from the person-name pools below."""

FIRST_NAMES = (
    "Alice", "Brian", "Carmen", "David", "Elena", "Farid", "Grace", "Hiro", "Irene", "James",
    "Keisha", "Liam", "Maria", "Noah", "Olivia", "Priya", "Quentin", "Rosa", "Samuel", "Tara",
    "Umar", "Vera", "Wei", "Yusuf",
)
LAST_NAMES = (
    "Anderson", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ivanova",
    "Johnson", "Kim", "Lopez", "Martin", "Nguyen", "Okafor", "Patel", "Quinn", "Rossi",
    "Singh", "Turner", "Walker", "Young",
)

CITIES = ("Austin", "Denver", "Seattle", "Boston", "Chicago", "Phoenix", "Portland", "Atlanta")
STATES = ("California", "Texas", "Ohio", "Florida", "New York", "Georgia", "Oregon")
COUNTRIES = ("USA", "Canada", "Germany", "Japan", "Brazil", "Australia", "France")


@dataclass(frozen=True)
class Group:
    """The top table: id, name and one descriptive attribute (city, country ...)."""

    table: str
    one: str
    many: str
    id: str
    name: str
    names: tuple[str, ...]
    attr: str
    attr_label: str
    attrs: tuple[str, ...]


@dataclass(frozen=True)
class Entity:
    """The middle table: id, name, category, a whole number, a flag and its group's id.

    `flag_yes`/`flag_no` are verb phrases for the flag ("are loyalty members"), so a
    question can read "Which customers are loyalty members?".
    """

    table: str
    one: str
    many: str
    id: str
    name: str
    name_label: str
    names: tuple[str, ...]
    cat: str
    cat_label: str
    cats: tuple[str, ...]
    num: str
    num_label: str
    num_range: tuple[int, int]
    flag: str
    flag_yes: str
    flag_no: str


@dataclass(frozen=True)
class Event:
    """The bottom table: id, entity id, amount (DECIMAL), quantity, date and status."""

    table: str
    one: str
    many: str
    id: str
    amt: str
    amt_label: str
    amt_range: tuple[float, float]
    qty: str
    qty_label: str
    qty_range: tuple[int, int]
    date: str
    date_label: str
    status: str
    status_label: str
    statuses: tuple[str, ...]


@dataclass(frozen=True)
class Domain:
    """One subject area: its three tables and a column a DDL question may add to the entity."""

    name: str
    group: Group
    entity: Entity
    event: Event
    extra: tuple[str, str, str] = ("email", "VARCHAR(100)", "email address")  # column, type, label


DOMAINS: tuple[Domain, ...] = (
    Domain(
        "retail",
        Group("stores", "store", "stores", "store_id", "store_name",
              ("Downtown Market", "Riverside Plaza", "Northgate Mall", "Harbor Outlet", "Eastside Center", "Lakeview Shop"),
              "city", "city", CITIES),
        Entity("customers", "customer", "customers", "customer_id", "full_name", "name", PEOPLE,
               "segment", "segment", ("Retail", "Wholesale", "Online", "VIP"),
               "loyalty_points", "loyalty point balance", (0, 5000),
               "is_member", "are loyalty members", "are not loyalty members"),
        Event("orders", "order", "orders", "order_id", "total_amount", "order amount", (15, 900),
              "quantity", "quantity", (1, 12), "order_date", "order date",
              "status", "status", ("pending", "shipped", "delivered", "cancelled")),
    ),
    Domain(
        "healthcare",
        Group("hospitals", "hospital", "hospitals", "hospital_id", "hospital_name",
              ("Mercy General", "Lakeside Clinic", "Valley Regional Hospital", "Northside Health", "Cedar Grove Hospital", "Summit Medical Center"),
              "state", "state", STATES),
        Entity("patients", "patient", "patients", "patient_id", "patient_name", "name", PEOPLE,
               "insurance_plan", "insurance plan", ("Medicare", "Medicaid", "PPO", "HMO"),
               "age", "age", (18, 90), "is_smoker", "are smokers", "are not smokers"),
        Event("visits", "visit", "visits", "visit_id", "billed_amount", "billed amount", (80, 4500),
              "duration_minutes", "visit duration in minutes", (10, 180), "visit_date", "visit date",
              "visit_status", "visit status", ("scheduled", "completed", "cancelled", "no-show")),
        ("phone_number", "VARCHAR(20)", "phone number"),
    ),
    Domain(
        "logistics",
        Group("warehouses", "warehouse", "warehouses", "warehouse_id", "warehouse_name",
              ("Central Hub", "Port Terminal", "North Depot", "Gateway DC", "Inland Yard", "Coastal Depot"),
              "region", "region", ("Midwest", "Northeast", "Southwest", "Pacific", "Southeast")),
        Entity("drivers", "driver", "drivers", "driver_id", "driver_name", "name", PEOPLE,
               "license_class", "license class", ("Class A", "Class B", "Class C"),
               "years_experience", "years of experience", (1, 30),
               "is_full_time", "work full-time", "do not work full-time"),
        Event("shipments", "shipment", "shipments", "shipment_id", "freight_cost", "freight cost", (120, 3500),
              "weight_kg", "weight in kilograms", (50, 20000), "ship_date", "ship date",
              "status", "status", ("in transit", "delivered", "delayed", "returned")),
        ("phone_number", "VARCHAR(20)", "phone number"),
    ),
    Domain(
        "education",
        Group("universities", "university", "universities", "university_id", "university_name",
              ("Westbrook University", "Harborview College", "Pinecrest Institute", "Redwood State University", "Lakeshore College", "Granite Polytechnic"),
              "city", "city", CITIES),
        Entity("students", "student", "students", "student_id", "student_name", "name", PEOPLE,
               "major", "major", ("Biology", "History", "Mathematics", "Computer Science", "Economics"),
               "age", "age", (17, 35), "has_scholarship", "have a scholarship", "do not have a scholarship"),
        Event("enrollments", "enrollment", "enrollments", "enrollment_id", "tuition_fee", "tuition fee", (500, 6000),
              "credits", "number of credit hours", (1, 6), "enrollment_date", "enrollment date",
              "status", "status", ("active", "completed", "dropped", "waitlisted")),
    ),
    Domain(
        "finance",
        Group("branches", "branch", "branches", "branch_id", "branch_name",
              ("Main Street Branch", "Financial District", "Uptown Branch", "Westside Branch", "Airport Branch", "Harbor Branch"),
              "city", "city", CITIES),
        Entity("investors", "investor", "investors", "investor_id", "investor_name", "name", PEOPLE,
               "risk_profile", "risk profile", ("Conservative", "Moderate", "Aggressive"),
               "credit_score", "credit score", (550, 850),
               "is_accredited", "are accredited investors", "are not accredited investors"),
        Event("trades", "trade", "trades", "trade_id", "trade_value", "trade value", (1000, 95000),
              "shares", "number of shares", (1, 500), "trade_date", "trade date",
              "status", "status", ("executed", "pending", "settled", "cancelled")),
    ),
    Domain(
        "human resources",
        Group("departments", "department", "departments", "department_id", "department_name",
              ("Engineering", "Marketing", "Finance", "Operations", "Sales", "Legal"),
              "location", "office location", ("New York", "London", "Toronto", "Berlin", "Singapore")),
        Entity("employees", "employee", "employees", "employee_id", "employee_name", "name", PEOPLE,
               "job_title", "job title", ("Analyst", "Engineer", "Manager", "Specialist", "Coordinator"),
               "years_of_service", "years of service", (0, 30), "is_remote", "work remotely", "do not work remotely"),
        Event("payroll", "payroll payment", "payroll payments", "payment_id", "gross_pay", "gross pay", (1500, 9000),
              "hours_worked", "hours worked", (60, 180), "pay_date", "pay date",
              "payment_status", "payment status", ("paid", "pending", "on hold", "reversed")),
        ("hire_date", "DATE", "hire date"),
    ),
    Domain(
        "real estate",
        Group("agencies", "agency", "agencies", "agency_id", "agency_name",
              ("Keystone Realty", "Blue Door Homes", "Summit Properties", "Oakline Realty", "Cornerstone Estates", "Harbor Homes"),
              "city", "city", CITIES),
        Entity("properties", "property", "properties", "property_id", "address", "address",
               ("12 Maple Court", "48 Oak Street", "7 Birch Lane", "230 Pine Avenue", "19 Cedar Road", "5 Elm Terrace", "88 Willow Way", "301 Aspen Drive"),
               "property_type", "property type", ("Condo", "Townhouse", "Single Family", "Apartment"),
               "bedrooms", "number of bedrooms", (1, 6), "has_garage", "have a garage", "do not have a garage"),
        Event("leases", "lease", "leases", "lease_id", "monthly_rent", "monthly rent", (800, 5500),
              "term_months", "lease term in months", (6, 36), "start_date", "start date",
              "status", "lease status", ("active", "expired", "terminated", "pending")),
        ("square_feet", "INT", "square footage"),
    ),
    Domain(
        "aviation",
        Group("airlines", "airline", "airlines", "airline_id", "airline_name",
              ("SkyWest Air", "Blue Horizon Airways", "Polar Jet", "Sunline Airlines", "Atlas Air Express", "Coral Wings"),
              "country", "country", COUNTRIES),
        Entity("aircraft", "aircraft", "aircraft", "aircraft_id", "tail_number", "tail number",
               ("N101SW", "N202BH", "N315PJ", "N428SL", "N533AX", "N641CW", "N752SW", "N860BH"),
               "model", "model", ("A320", "B737-800", "E190", "A321neo"),
               "seat_capacity", "seat capacity", (70, 240), "is_leased", "are leased", "are not leased"),
        Event("flights", "flight", "flights", "flight_id", "ticket_revenue", "ticket revenue", (5000, 95000),
              "passengers", "passenger count", (40, 240), "flight_date", "flight date",
              "status", "flight status", ("scheduled", "departed", "landed", "cancelled")),
        ("last_inspection", "DATE", "last inspection date"),
    ),
    Domain(
        "hospitality",
        Group("hotels", "hotel", "hotels", "hotel_id", "hotel_name",
              ("Grand Plaza Hotel", "Seaside Inn", "Mountain Lodge", "City Center Suites", "Palm Resort", "Riverfront Hotel"),
              "city", "city", CITIES),
        Entity("rooms", "room", "rooms", "room_id", "room_number", "room number",
               ("101", "102", "205", "210", "315", "320", "402", "508"),
               "room_type", "room type", ("Single", "Double", "Suite", "Deluxe"),
               "floor", "floor", (1, 12), "has_balcony", "have a balcony", "do not have a balcony"),
        Event("bookings", "booking", "bookings", "booking_id", "total_price", "booking price", (90, 2400),
              "nights", "number of nights", (1, 14), "check_in_date", "check-in date",
              "status", "booking status", ("confirmed", "checked out", "cancelled", "no-show")),
        ("nightly_rate", "DECIMAL(10,2)", "nightly rate"),
    ),
    Domain(
        "agriculture",
        Group("farms", "farm", "farms", "farm_id", "farm_name",
              ("Green Valley Farm", "Sunrise Acres", "Hillside Orchard", "Prairie Fields", "Riverbend Ranch", "Golden Harvest Farm"),
              "state", "state", ("Iowa", "Nebraska", "Kansas", "California", "Idaho", "Illinois")),
        Entity("fields", "field", "fields", "field_id", "field_name", "name",
               ("North Field", "South Field", "East Pasture", "West Plot", "Creek Field", "Upper Terrace", "Lower Meadow", "Orchard Block"),
               "crop_type", "crop type", ("Corn", "Wheat", "Soybeans", "Barley", "Potatoes"),
               "area_hectares", "area in hectares", (2, 150), "is_irrigated", "are irrigated", "are not irrigated"),
        Event("harvests", "harvest", "harvests", "harvest_id", "sale_value", "sale value", (1200, 48000),
              "yield_tonnes", "yield in tonnes", (5, 600), "harvest_date", "harvest date",
              "status", "status", ("sold", "stored", "processing", "rejected")),
        ("soil_type", "VARCHAR(30)", "soil type"),
    ),
    Domain(
        "energy",
        Group("operators", "operator", "operators", "operator_id", "operator_name",
              ("Northwind Energy", "Solaris Power", "BlueRiver Hydro", "Terra Utilities", "Crestline Power", "Evergreen Grid"),
              "country", "country", COUNTRIES),
        Entity("power_plants", "power plant", "power plants", "plant_id", "plant_name", "name",
               ("Cedar Ridge", "Mesa Verde", "Falcon Point", "Silver Lake", "Iron Hill", "Copper Creek", "Windy Gap", "Sunfield"),
               "energy_source", "energy source", ("Solar", "Wind", "Hydro", "Natural Gas", "Nuclear"),
               "capacity_mw", "capacity in megawatts", (20, 1200),
               "is_grid_connected", "are connected to the grid", "are not connected to the grid"),
        Event("generation_records", "generation record", "generation records", "record_id", "revenue", "revenue", (5000, 250000),
              "output_mwh", "output in megawatt-hours", (100, 90000), "record_date", "record date",
              "status", "operating status", ("normal", "curtailed", "maintenance", "outage")),
        ("commissioned_date", "DATE", "commissioning date"),
    ),
    Domain(
        "telecommunications",
        Group("regions", "region", "regions", "region_id", "region_name",
              ("Metro North", "Metro South", "Coastal", "Highlands", "Central Valley", "Lakeside"),
              "country", "country", COUNTRIES),
        Entity("subscribers", "subscriber", "subscribers", "subscriber_id", "subscriber_name", "name", PEOPLE,
               "plan_type", "plan type", ("Prepaid", "Postpaid", "Family", "Business"),
               "data_limit_gb", "data limit in GB", (5, 200), "is_active", "are active", "are not active"),
        Event("bills", "bill", "bills", "bill_id", "amount_due", "amount due", (15, 320),
              "data_used_gb", "data used in GB", (1, 180), "bill_date", "bill date",
              "status", "payment status", ("paid", "unpaid", "overdue", "disputed")),
        ("phone_number", "VARCHAR(20)", "phone number"),
    ),
    Domain(
        "sports",
        Group("leagues", "league", "leagues", "league_id", "league_name",
              ("Premier Division", "Coastal League", "Northern Conference", "Metro League", "Continental Cup", "Summit League"),
              "country", "country", COUNTRIES),
        Entity("teams", "team", "teams", "team_id", "team_name", "name",
               ("Falcons", "Rangers", "Comets", "Titans", "Wolves", "Pirates", "Hornets", "Vikings"),
               "division", "division", ("North", "South", "East", "West"),
               "titles_won", "number of titles won", (0, 25), "is_professional", "are professional", "are not professional"),
        Event("matches", "match", "matches", "match_id", "ticket_revenue", "ticket revenue", (2000, 90000),
              "attendance", "attendance", (500, 60000), "match_date", "match date",
              "result", "result", ("won", "lost", "draw", "postponed")),
        ("coach_name", "VARCHAR(50)", "coach name"),
    ),
    Domain(
        "music",
        Group("record_labels", "record label", "record labels", "label_id", "label_name",
              ("Echo Records", "Bluebird Music", "Neon Sound", "Golden Reel", "Velvet Groove", "Northstar Records"),
              "country", "country", COUNTRIES),
        Entity("artists", "artist", "artists", "artist_id", "artist_name", "name",
               ("Luna Vega", "The Midnight Owls", "Jasper Cole", "Nova Rae", "Silver Pines", "Marcus Bell", "Echo Valley", "Ruby Lane"),
               "genre", "genre", ("Pop", "Rock", "Jazz", "Hip-Hop", "Country"),
               "albums_released", "number of albums released", (1, 15),
               "is_touring", "are currently touring", "are not currently touring"),
        Event("concerts", "concert", "concerts", "concert_id", "gross_revenue", "gross revenue", (5000, 400000),
              "tickets_sold", "number of tickets sold", (200, 50000), "concert_date", "concert date",
              "status", "concert status", ("scheduled", "completed", "cancelled", "sold out")),
        ("website", "VARCHAR(100)", "website"),
    ),
    Domain(
        "manufacturing",
        Group("factories", "factory", "factories", "factory_id", "factory_name",
              ("Plant Alpha", "Riverside Works", "Northfield Plant", "Ironworks One", "Delta Assembly", "Summit Fabrication"),
              "city", "city", CITIES),
        Entity("machines", "machine", "machines", "machine_id", "machine_name", "name",
               ("Lathe L-200", "Press P-50", "CNC Mill M-7", "Welder W-12", "Robot Arm R-3", "Grinder G-9", "Cutter C-4", "Drill D-15"),
               "machine_type", "machine type", ("CNC", "Press", "Lathe", "Welder", "Robot"),
               "age_years", "age in years", (0, 25), "is_automated", "are automated", "are not automated"),
        Event("production_runs", "production run", "production runs", "run_id", "production_cost", "production cost", (300, 25000),
              "units_produced", "number of units produced", (50, 5000), "run_date", "run date",
              "status", "run status", ("completed", "in progress", "failed", "queued")),
        ("serial_number", "VARCHAR(30)", "serial number"),
    ),
    Domain(
        "insurance",
        Group("offices", "office", "offices", "office_id", "office_name",
              ("Downtown Office", "Lakeside Office", "Capitol Office", "Bayview Office", "Hilltop Office", "Midtown Office"),
              "state", "state", STATES),
        Entity("policyholders", "policyholder", "policyholders", "policyholder_id", "holder_name", "name", PEOPLE,
               "policy_type", "policy type", ("Auto", "Home", "Life", "Health"),
               "age", "age", (18, 85), "is_high_risk", "are high risk", "are not high risk"),
        Event("claims", "claim", "claims", "claim_id", "claim_amount", "claim amount", (200, 60000),
              "processing_days", "processing time in days", (1, 90), "claim_date", "claim date",
              "status", "claim status", ("open", "approved", "denied", "under review")),
    ),
    Domain(
        "public services",
        Group("cities", "city", "cities", "city_id", "city_name",
              ("Springfield", "Riverton", "Fairview", "Greenville", "Madison", "Clinton"),
              "state", "state", STATES),
        Entity("public_facilities", "public facility", "public facilities", "facility_id", "facility_name", "name",
               ("Central Library", "Oak Park", "Eastside Clinic", "Harbor Community Center", "Civic Pool", "North Fire Station", "Westside Senior Center", "Memorial Park"),
               "facility_type", "facility type", ("Library", "Park", "Clinic", "Community Center", "Fire Station"),
               "capacity", "capacity", (20, 2000), "is_accessible", "are wheelchair accessible", "are not wheelchair accessible"),
        Event("service_requests", "service request", "service requests", "request_id", "estimated_cost", "estimated cost", (100, 45000),
              "residents_affected", "number of residents affected", (1, 5000), "request_date", "request date",
              "status", "request status", ("open", "in progress", "resolved", "closed")),
        ("opening_hours", "VARCHAR(50)", "opening hours"),
    ),
    Domain(
        "nonprofit",
        Group("chapters", "chapter", "chapters", "chapter_id", "chapter_name",
              ("Bay Area Chapter", "Rocky Mountain Chapter", "Great Lakes Chapter", "Gulf Coast Chapter", "Capital Chapter", "Desert Chapter"),
              "city", "city", CITIES),
        Entity("donors", "donor", "donors", "donor_id", "donor_name", "name", PEOPLE,
               "donor_type", "donor type", ("Individual", "Corporate", "Foundation"),
               "years_giving", "years of giving", (1, 30), "is_recurring", "are recurring donors", "are not recurring donors"),
        Event("pledges", "pledge", "pledges", "pledge_id", "pledge_amount", "pledge amount", (50, 25000),
              "installments", "number of installments", (1, 12), "pledge_date", "pledge date",
              "status", "pledge status", ("fulfilled", "pending", "partial", "lapsed")),
    ),
    Domain(
        "gaming",
        Group("games", "game", "games", "game_id", "game_title",
              ("Star Raiders", "Dungeon Quest", "Speed Circuit", "Farm Frontier", "Mythic Arena", "Puzzle Peaks"),
              "publisher", "publisher", ("Nimbus Games", "Pixel Forge", "Arcadia Studios", "Lunar Interactive")),
        Entity("players", "player", "players", "player_id", "username", "username",
               ("shadowfox", "pixelqueen", "dragonbyte", "nightowl42", "lazerkat", "frostbite", "turbo_tom", "mysticmae"),
               "skill_tier", "skill tier", ("Bronze", "Silver", "Gold", "Platinum", "Diamond"),
               "player_level", "level", (1, 100), "is_premium", "have a premium subscription", "do not have a premium subscription"),
        Event("purchases", "purchase", "purchases", "purchase_id", "price", "price", (0.99, 99.99),
              "items", "number of items", (1, 10), "purchase_date", "purchase date",
              "status", "purchase status", ("completed", "refunded", "pending", "failed")),
    ),
    Domain(
        "automotive",
        Group("dealerships", "dealership", "dealerships", "dealership_id", "dealership_name",
              ("Metro Motors", "Sunset Auto", "Highway Cars", "Prime Autos", "Valley Motors", "Bayside Auto Group"),
              "city", "city", CITIES),
        Entity("vehicles", "vehicle", "vehicles", "vehicle_id", "model_name", "model name",
               ("Civic", "Corolla", "F-150", "Model 3", "Camry", "Outback", "Mustang", "Leaf"),
               "body_style", "body style", ("Sedan", "SUV", "Truck", "Hatchback", "Coupe"),
               "model_year", "model year", (2012, 2024), "is_electric", "are electric", "are not electric"),
        Event("service_orders", "service order", "service orders", "service_id", "labor_cost", "labor cost", (60, 2800),
              "labor_hours", "labor hours", (1, 16), "service_date", "service date",
              "status", "service status", ("open", "completed", "awaiting parts", "cancelled")),
        ("color", "VARCHAR(20)", "color"),
    ),
    Domain(
        "library",
        Group("branches", "branch", "branches", "branch_id", "branch_name",
              ("Central Branch", "Maplewood Branch", "Riverside Branch", "Hillcrest Branch", "Oakdale Branch", "Lakeview Branch"),
              "neighborhood", "neighborhood", ("Downtown", "Midtown", "Old Town", "Uptown", "Harborside")),
        Entity("members", "member", "members", "member_id", "member_name", "name", PEOPLE,
               "membership_type", "membership type", ("Adult", "Student", "Senior", "Child"),
               "books_borrowed", "number of books borrowed", (0, 300),
               "has_active_card", "have an active card", "do not have an active card"),
        Event("loans", "loan", "loans", "loan_id", "late_fee", "late fee", (0.5, 25),
              "renewals", "number of renewals", (0, 3), "loan_date", "loan date",
              "status", "loan status", ("returned", "on loan", "overdue", "lost")),
    ),
    Domain(
        "cybersecurity",
        Group("sites", "site", "sites", "site_id", "site_name",
              ("HQ Campus", "East Data Center", "West Data Center", "London Office", "Tokyo Office", "Cloud Region East"),
              "country", "country", COUNTRIES),
        Entity("assets", "asset", "assets", "asset_id", "hostname", "hostname",
               ("web-01", "db-02", "mail-03", "vpn-gw", "fs-04", "app-05", "dc-01", "log-06"),
               "operating_system", "operating system", ("Windows", "Linux", "macOS"),
               "open_ports", "number of open ports", (1, 60), "is_patched", "are fully patched", "are not fully patched"),
        Event("incidents", "incident", "incidents", "incident_id", "estimated_loss", "estimated loss", (500, 150000),
              "affected_users", "number of affected users", (1, 2000), "detected_date", "detection date",
              "severity", "severity", ("low", "medium", "high", "critical")),
        ("ip_address", "VARCHAR(45)", "IP address"),
    ),
    Domain(
        "food service",
        Group("restaurants", "restaurant", "restaurants", "restaurant_id", "restaurant_name",
              ("The Rustic Table", "Golden Wok", "Casa Verde", "Blue Fin Sushi", "Olive Grove", "Smokehouse 55"),
              "city", "city", CITIES),
        Entity("dishes", "dish", "dishes", "dish_id", "dish_name", "name",
               ("Margherita Pizza", "Pad Thai", "Beef Tacos", "Caesar Salad", "Salmon Teriyaki", "Mushroom Risotto", "Chicken Curry", "Veggie Burger"),
               "cuisine", "cuisine", ("Italian", "Thai", "Mexican", "Japanese", "Indian", "American"),
               "calories", "calorie count", (250, 1200), "is_vegetarian", "are vegetarian", "are not vegetarian"),
        Event("sales", "sale", "sales", "sale_id", "sale_amount", "sale amount", (8, 240),
              "portions", "number of portions", (1, 20), "sale_date", "sale date",
              "channel", "sales channel", ("dine-in", "takeout", "delivery", "catering")),
        ("menu_price", "DECIMAL(10,2)", "menu price"),
    ),
    Domain(
        "construction",
        Group("contractors", "contractor", "contractors", "contractor_id", "contractor_name",
              ("BuildRight Inc", "Apex Construction", "Stonebridge Builders", "Metro Civil", "Pioneer Contracting", "Granite Works"),
              "state", "state", STATES),
        Entity("projects", "project", "projects", "project_id", "project_name", "name",
               ("Harbor Tower", "Elm Street Bridge", "Sunset Villas", "Route 9 Expansion", "Civic Center Renovation", "Lakeside Apartments", "Northgate School", "Riverwalk Park"),
               "project_type", "project type", ("Residential", "Commercial", "Infrastructure", "Institutional"),
               "floors", "number of floors", (1, 40), "is_green_certified", "are green certified", "are not green certified"),
        Event("invoices", "invoice", "invoices", "invoice_id", "invoice_amount", "invoice amount", (5000, 750000),
              "workers", "number of workers", (3, 150), "invoice_date", "invoice date",
              "status", "invoice status", ("paid", "pending", "overdue", "disputed")),
        ("completion_date", "DATE", "completion date"),
    ),
)
