import PostgresNIO
import Seamless
