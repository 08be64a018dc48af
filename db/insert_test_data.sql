-- Five more orders, created_at from the database default (the time of insert).
--
--   psql "postgresql://USER@HOST:PORT/DB" -v table=ROLL001_orders -f db/insert_test_data.sql
--
-- Each run inserts five new orders (new order_ids): it is test traffic, not seed data.
INSERT INTO :"table" (customer_name, restaurant_name, item, amount, order_status) VALUES
  ('Grace Lee',      'Dragon Wok',      'Veg Hakka Noodles',   219.00, 'PLACED'),
  ('Arjun Reddy',    'Biryani House',   'Mutton Biryani',      399.00, 'PLACED'),
  ('Olivia Brown',   'Green Bowl',      'Falafel Wrap',        199.50, 'PREPARING'),
  ('Mateo Rossi',    'Pizza Piazza',    'Pepperoni Pizza',     529.00, 'PLACED'),
  ('Hana Suzuki',    'Sushi Corner',    'California Roll',     459.75, 'PLACED');
